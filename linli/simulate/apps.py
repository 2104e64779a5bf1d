from django.apps import AppConfig


class SimulateConfig(AppConfig):
    """Tools that drive the real services with simulated people (`manage.py care_simulate`):
    not part of the product, so they live outside the apps they exercise."""

    name = "linli.simulate"
    label = "simulate"
    verbose_name = "模拟"

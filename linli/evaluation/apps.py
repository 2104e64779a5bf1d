from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "linli.evaluation"
    label = "evaluation"
    verbose_name = "监督评估"

    def ready(self) -> None:
        from linli.core import registry
        from linli.evaluation import home, projects

        registry.home_tiles.register(home.tiles)
        # EVAL-2: ledger refuses new funds and matching new bookings for a revoked project.
        registry.qualification_checks.register(projects.qualification_reason)

from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "linli.evaluation"
    label = "evaluation"
    verbose_name = "监督评估"

    def ready(self) -> None:
        from linli.core import registry
        from linli.evaluation import home

        registry.home_tiles.register(home.tiles)

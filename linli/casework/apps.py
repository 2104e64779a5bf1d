from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "linli.casework"
    label = "casework"
    verbose_name = "诉求办理"

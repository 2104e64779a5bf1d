from django.apps import AppConfig

from linli.core import registry
from linli.people import registry as people_registry


class CaseworkConfig(AppConfig):
    name = "linli.casework"
    label = "casework"
    verbose_name = "诉求办理"

    def ready(self) -> None:
        # Imported here: these modules load models, which exist only once apps are ready.
        from linli.casework import home, people_links
        from linli.casework.open311 import render as open311_render

        registry.home_tiles.register(home.tiles)
        registry.error_renderers.register(open311_render.guard_error)
        # People ORs the providers: a case's resident, or its named reporter.
        people_registry.residents_via_open_cases.register(people_links.residents_via_open_cases)
        people_registry.residents_via_open_cases.register(people_links.reporters_via_open_cases)
        people_registry.case_visible.register(people_links.case_visible)

"""Background tasks of evaluation. Tasks take ids and call services."""

from django_tasks import task

from linli.evaluation.report import report_build


@task()
def build_report(*, report_id: int) -> str:
    """EVAL-5: a street's or the district's monthly report PDF."""
    return report_build(report_id=report_id)

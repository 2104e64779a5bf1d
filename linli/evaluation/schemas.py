import datetime as dt

from ninja import Schema
from pydantic import Field

from linli.core.schemas import Day, Int


class MetricOut(Schema):
    key: str
    name: str
    numerator: str
    denominator: str
    exclusions: str
    unit: str
    version: int
    dimensions: list[str]
    higher_is_better: bool


class FiguresQuery(Schema):
    metric: str = Field(max_length=40)
    dimension: str = Field("community", max_length=12)
    months: Int = Field(12, ge=1, le=36)
    key: str = Field("", max_length=20)


class FigureOut(Schema):
    key: str
    label: str
    month: dt.date
    numerator: float
    denominator: float | None
    value: float | None
    # The list of the records (cases, alerts …) behind the figure; `cases_url` is the
    # older name, set for case metrics only.
    drill_url: str | None
    cases_url: str | None


class FiguresOut(Schema):
    metric: MetricOut
    dimension: str
    months: list[dt.date]
    figures: list[FigureOut]


class ScoresQuery(Schema):
    kind: str = Field("area", max_length=12)
    month: Day | None = None


class ScoreOut(Schema):
    key: str
    label: str
    score: float | None
    grade: str
    parts: dict[str, float | None]


class ScoresOut(Schema):
    kind: str
    month: dt.date | None
    weights_version: int
    weights: dict[str, int]
    scores: list[ScoreOut]


class WeightsIn(Schema):
    kind: str = Field(max_length=12)
    weights: dict[str, Int]
    note: str = Field("", max_length=300)


class WeightsOut(Schema):
    kind: str
    version: int
    weights: dict[str, int]


# ---- EVAL-2: service projects ---------------------------------------------------------------


class ProjectIn(Schema):
    fund_project_id: Int | None = None
    partner_id: Int | None = None


class ProjectOut(Schema):
    id: int
    name: str
    organisation: str
    community_id: int
    fund_project_id: int | None
    partner_id: int | None
    qualified: bool
    revoked_at: dt.datetime | None
    revoked_reason: str
    reinstated_at: dt.datetime | None
    reinstated_reason: str


class CriterionOut(Schema):
    key: str
    label: str
    weight: int


class EvidenceOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str


class EvaluationOut(Schema):
    id: int
    project_id: int
    year: int
    half: int
    state: str
    criteria: list[CriterionOut]
    pass_mark: int
    scores: dict[str, int]
    total: float | None
    passed: bool | None
    comments: str
    served_people: int | None
    idle_rate: float | None
    cost_per_person_fen: int | None
    submitted_at: dt.datetime | None
    evidence: list[EvidenceOut]
    actions: list[str]


class CutOut(Schema):
    id: int
    project_id: int
    year: int
    percent: int
    budget_before: int
    budget_after: int
    why: str
    state: str
    reason: str


class ProjectDetailOut(ProjectOut):
    evaluations: list[EvaluationOut]
    cuts: list[CutOut]


class EvaluationStartIn(Schema):
    year: Int = Field(ge=2000, le=2100)
    half: Int = Field(ge=1, le=2)


class EvaluationSaveIn(Schema):
    scores: dict[str, Int | None] = Field(default_factory=dict)
    comments: str = Field("", max_length=3000)
    served_people: Int | None = None


class ReasonIn(Schema):
    reason: str = Field(max_length=300)


class CutDecideIn(Schema):
    accept: bool
    reason: str = Field("", max_length=300)

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

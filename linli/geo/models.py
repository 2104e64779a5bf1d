"""GEO-1..4: the administrative hierarchy, grids as polygons, departments, responsibility."""

from django.db import models

from linli.core.base import BaseModel
from linli.geo.choices import DepartmentKind, HandlingLevel


class District(BaseModel):
    code = models.CharField("行政区划代码", max_length=6, unique=True)  # GB/T 2260
    name = models.CharField("名称", max_length=50)
    city = models.CharField("城市", max_length=50)

    class Meta:
        verbose_name = "区"
        verbose_name_plural = "区"

    def __str__(self) -> str:
        return self.name


class Street(BaseModel):
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="streets")
    code = models.CharField("街道码", max_length=3)
    name = models.CharField("名称", max_length=50)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="street_code")]
        verbose_name = "街道"
        verbose_name_plural = "街道"

    def __str__(self) -> str:
        return self.name

    @property
    def full_code(self) -> str:
        return f"{self.district.code}{self.code}"


class Community(BaseModel):
    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="communities")
    code = models.CharField("社区码", max_length=3)
    name = models.CharField("名称", max_length=50)
    is_pilot = models.BooleanField("试点社区", default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["street", "code"], name="community_code")]
        verbose_name = "社区"
        verbose_name_plural = "社区"

    def __str__(self) -> str:
        return self.name


class Grid(BaseModel):
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="grids")
    code = models.CharField("网格码", max_length=3)
    # 6 admin + 3 street + 3 community + 3 grid (unit-grid code of digital urban management)
    unit_code = models.CharField("单元网格编码", max_length=15, unique=True)
    name = models.CharField("名称", max_length=50)
    # GeoJSON Polygon / MultiPolygon in WGS84 lon/lat; bbox columns let SQL pre-filter.
    geometry = models.JSONField("边界")
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["community", "code"], name="grid_code")]
        indexes = [models.Index(fields=["updated_at"], name="grid_updated_at")]
        verbose_name = "网格"
        verbose_name_plural = "网格"

    def __str__(self) -> str:
        return f"{self.name} ({self.unit_code})"


class Building(BaseModel):
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="buildings")
    name = models.CharField("楼栋", max_length=50)
    address = models.CharField("地址", max_length=200, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["grid", "name"], name="building_name")]
        verbose_name = "楼栋"
        verbose_name_plural = "楼栋"

    def __str__(self) -> str:
        return self.name


class Household(BaseModel):
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="households")
    unit = models.CharField("单元", max_length=20, blank=True)
    room = models.CharField("门牌", max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["building", "unit", "room"], name="household_room")
        ]
        verbose_name = "户"
        verbose_name_plural = "户"

    def __str__(self) -> str:
        return f"{self.building}{self.unit}{self.room}"


class Department(BaseModel):
    """A unit that can answer for matters: government department, property company …"""

    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=20, blank=True)
    kind = models.CharField("类型", max_length=20, choices=DepartmentKind.choices)
    # The area it serves; empty means the whole district.
    street = models.ForeignKey(
        Street, null=True, blank=True, on_delete=models.PROTECT, related_name="departments"
    )
    community = models.ForeignKey(
        Community, null=True, blank=True, on_delete=models.PROTECT, related_name="departments"
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="上级单位:逾期升级的对象",
    )
    level = models.CharField(
        "处置层级", max_length=10, choices=HandlingLevel.choices, default=HandlingLevel.STREET
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name"], name="department_name")]
        verbose_name = "单位"
        verbose_name_plural = "单位"

    def __str__(self) -> str:
        return self.name


class ResponsibilityRule(BaseModel):
    """责任清单 (GEO-4): which unit answers for which category in which area.

    `category_code` is a major code ("01") or a major-minor code ("01-10"); the most
    specific category and the smallest area win.
    """

    category_code = models.CharField("事项分类编码", max_length=10, db_index=True)
    unit = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="rules")
    street = models.ForeignKey(Street, null=True, blank=True, on_delete=models.CASCADE)
    community = models.ForeignKey(Community, null=True, blank=True, on_delete=models.CASCADE)
    grid = models.ForeignKey(Grid, null=True, blank=True, on_delete=models.CASCADE)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        # Uniqueness per (category, area) is checked by the service: NULL areas defeat a
        # portable unique constraint.
        verbose_name = "责任清单条目"
        verbose_name_plural = "责任清单"

    def __str__(self) -> str:
        return f"{self.category_code} → {self.unit}"

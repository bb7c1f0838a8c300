"""The titles of leading posts most units have (reference data): seeded by the members'
migration, and again by `ensure` where a database was emptied (the demo, tests that flush it).
Offices add their own titles in the administration."""

from __future__ import annotations

from .models import PostTitle

TITLES: list[tuple[str, str, int, int]] = [
    # kind, name, tier, rank
    ("PARTY", "Bí thư", 1, 10),
    ("PARTY", "Phó Bí thư Thường trực", 2, 15),
    ("PARTY", "Phó Bí thư", 2, 20),
    ("PARTY", "Ủy viên Ban Thường vụ", 3, 30),
    ("PARTY", "Cấp ủy viên", 3, 40),
    ("PARTY", "Bí thư chi bộ", 1, 50),
    ("PARTY", "Phó Bí thư chi bộ", 2, 55),
    ("PARTY", "Chi ủy viên", 3, 60),
    ("GOVERNMENT", "Chủ tịch Hội đồng nhân dân", 1, 21),
    ("GOVERNMENT", "Chủ tịch Ủy ban nhân dân", 1, 22),
    ("GOVERNMENT", "Phó Chủ tịch Hội đồng nhân dân", 2, 31),
    ("GOVERNMENT", "Phó Chủ tịch Ủy ban nhân dân", 2, 32),
    ("GOVERNMENT", "Thủ trưởng cơ quan, đơn vị", 1, 23),
    ("GOVERNMENT", "Cấp phó của thủ trưởng cơ quan, đơn vị", 2, 33),
    ("GOVERNMENT", "Trưởng phòng, ban và tương đương", 1, 45),
    ("GOVERNMENT", "Phó trưởng phòng, ban và tương đương", 2, 50),
    ("MASS", "Chủ tịch Ủy ban Mặt trận Tổ quốc", 1, 35),
    ("MASS", "Phó Chủ tịch Ủy ban Mặt trận Tổ quốc", 2, 42),
    ("MASS", "Người đứng đầu tổ chức chính trị - xã hội", 1, 40),
    ("MASS", "Cấp phó tổ chức chính trị - xã hội", 2, 48),
]


def ensure() -> None:
    """Seed the titles the database lacks, by name."""
    have = set(PostTitle.objects.values_list("name", flat=True))
    PostTitle.objects.bulk_create(
        PostTitle(kind=kind, name=name, tier=tier, rank=rank)
        for kind, name, tier, rank in TITLES
        if name not in have
    )

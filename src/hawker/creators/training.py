"""Training: MCNs publish programmes of lessons; a host who completes every lesson of one is
certified, and tiers may require that certificate. Operators see how many hosts each
programme has certified."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.core.clock import utcnow
from hawker.core.db import upsert_insert
from hawker.core.errors import Forbidden, NotFound
from hawker.creators.models import Certificate, Lesson, LessonCompletion, TrainingProgramme


async def do_publish(
    s: AsyncSession, mcn: User, title: str, description: str, lessons: list[tuple[str, str]]
) -> TrainingProgramme:
    if "mcn" not in mcn.roles and not mcn.has_role("operator"):
        raise Forbidden("only MCNs and operators publish training programmes")
    programme = TrainingProgramme(mcn_id=mcn.id, title=title, description=description)
    s.add(programme)
    await s.flush()
    s.add_all(
        Lesson(programme_id=programme.id, position=i, title=t, body=b)
        for i, (t, b) in enumerate(lessons)
    )
    await s.flush()
    return programme


async def access_programme(s: AsyncSession, programme_id: int) -> TrainingProgramme:
    programme = await s.get(TrainingProgramme, programme_id)
    if programme is None:
        raise NotFound(f"no training programme {programme_id}")
    return programme


async def lessons(s: AsyncSession, programme_id: int) -> list[Lesson]:
    return list(
        await s.scalars(
            select(Lesson).where(Lesson.programme_id == programme_id).order_by(Lesson.position)
        )
    )


async def do_complete(s: AsyncSession, host: User, programme_id: int, lesson_id: int) -> bool:
    """Mark a lesson done (again is fine); returns whether the host now holds the
    programme's certificate."""
    if "host" not in host.roles:
        raise Forbidden("training is for hosts")
    lesson = await s.get(Lesson, lesson_id)
    if lesson is None or lesson.programme_id != programme_id:
        raise NotFound(f"programme {programme_id} has no lesson {lesson_id}")
    insert = upsert_insert(s)
    await s.execute(
        insert(LessonCompletion)
        .values(host_id=host.id, lesson_id=lesson_id, completed_at=utcnow())
        .on_conflict_do_nothing()
    )
    total = await s.scalar(select(func.count()).where(Lesson.programme_id == programme_id))
    done = await s.scalar(
        select(func.count())
        .select_from(LessonCompletion)
        .join(Lesson, Lesson.id == LessonCompletion.lesson_id)
        .where(Lesson.programme_id == programme_id, LessonCompletion.host_id == host.id)
    )
    if done != total:
        return False
    await s.execute(
        insert(Certificate)
        .values(host_id=host.id, programme_id=programme_id, issued_at=utcnow())
        .on_conflict_do_nothing()
    )
    return True


async def completed(s: AsyncSession, host_id: int, programme_id: int) -> set[int]:
    rows = await s.scalars(
        select(LessonCompletion.lesson_id)
        .join(Lesson, Lesson.id == LessonCompletion.lesson_id)
        .where(Lesson.programme_id == programme_id, LessonCompletion.host_id == host_id)
    )
    return set(rows)


async def certificates(s: AsyncSession) -> dict[int, set[int]]:
    """Every host's certificates: host id -> programme ids."""
    held: dict[int, set[int]] = {}
    for host_id, programme_id in await s.execute(
        select(Certificate.host_id, Certificate.programme_id)
    ):
        held.setdefault(host_id, set()).add(programme_id)
    return held


@dataclass(frozen=True)
class ProgrammeSummary:
    id: int
    title: str
    description: str
    mcn: str
    lessons: int
    certified: int


async def catalogue(s: AsyncSession) -> list[ProgrammeSummary]:
    lesson_counts = (
        select(Lesson.programme_id, func.count().label("n"))
        .group_by(Lesson.programme_id)
        .subquery()
    )
    certified = (
        select(Certificate.programme_id, func.count().label("n"))
        .group_by(Certificate.programme_id)
        .subquery()
    )
    rows = await s.execute(
        select(
            TrainingProgramme,
            User.display_name,
            func.coalesce(lesson_counts.c.n, 0),
            func.coalesce(certified.c.n, 0),
        )
        .join(User, User.id == TrainingProgramme.mcn_id)
        .outerjoin(lesson_counts, lesson_counts.c.programme_id == TrainingProgramme.id)
        .outerjoin(certified, certified.c.programme_id == TrainingProgramme.id)
        .order_by(TrainingProgramme.id)
    )
    return [
        ProgrammeSummary(p.id, p.title, p.description, name, int(n), int(c))
        for p, name, n, c in rows
    ]

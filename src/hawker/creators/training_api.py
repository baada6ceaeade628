"""Training API: MCNs publish programmes; hosts complete lessons and earn certificates."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.auth import current_user, optional_user, runtime
from hawker.accounts.models import User
from hawker.creators import training
from hawker.creators.schemas import LessonOut, ProgrammeDetailOut, ProgrammeIn, ProgrammeOut
from hawker.infra.runtime import Runtime

router = APIRouter(prefix="/api/programmes", tags=["creators"])


@router.get("")
async def programmes(rt: Runtime = Depends(runtime)) -> list[ProgrammeOut]:
    """Every programme with its lesson count and how many hosts it has certified."""
    async with rt.db.read() as s:
        return [ProgrammeOut(**vars(p)) for p in await training.catalogue(s)]


@router.post("", status_code=201)
async def publish(
    body: ProgrammeIn, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> ProgrammeDetailOut:
    async with rt.db.write() as s:
        p = await training.do_publish(
            s, user, body.title, body.description, [(x.title, x.body) for x in body.lessons]
        )
        return await _detail(s, p.id, None)


@router.get("/{programme_id}")
async def programme(
    programme_id: int, user: User | None = Depends(optional_user), rt: Runtime = Depends(runtime)
) -> ProgrammeDetailOut:
    async with rt.db.read() as s:
        return await _detail(s, programme_id, user)


@router.post("/{programme_id}/lessons/{lesson_id}/complete")
async def complete(
    programme_id: int,
    lesson_id: int,
    user: User = Depends(current_user),
    rt: Runtime = Depends(runtime),
) -> ProgrammeDetailOut:
    async with rt.db.write() as s:
        await training.do_complete(s, user, programme_id, lesson_id)
        return await _detail(s, programme_id, user)


async def _detail(s: AsyncSession, programme_id: int, user: User | None) -> ProgrammeDetailOut:
    p = await training.access_programme(s, programme_id)
    done = await training.completed(s, user.id, p.id) if user else set()
    lessons = await training.lessons(s, p.id)
    return ProgrammeDetailOut(
        id=p.id,
        title=p.title,
        description=p.description,
        lessons=[
            LessonOut(id=x.id, title=x.title, body=x.body, done=x.id in done) for x in lessons
        ],
        certified=bool(lessons) and len(done) == len(lessons),
    )

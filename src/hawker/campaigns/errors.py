"""Campaigns error codes."""

from hawker.core.errors import Conflict, Invalid


class ScheduleConflict(Conflict):
    code = "schedule_conflict"
    title = "Host already booked at that time"


class BadScheduleFile(Invalid):
    code = "bad_schedule_file"
    title = "The schedule file has errors"


class CampaignClosed(Conflict):
    code = "campaign_closed"
    title = "The campaign has ended"

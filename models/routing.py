"""Where a notice for a person or a unit goes.

A unit's group robot (WeCom, DingTalk, Feishu) reaches everyone in its
group; a person is @mentioned there by mobile number. Without a robot, a
person's or unit's e-mail is used. With nothing configured the notice goes
to the local outbox folder, so a fresh installation works offline.
Digests are grouped by Route: one message per robot or mailbox per sweep.
"""
from typing import NamedTuple

from models.ledger import Person, Unit

FOLDER_TARGET = "outbox"


class Route(NamedTuple):
    channel: str  # wecom, dingtalk, feishu, smtp, folder
    target: str  # robot name in the config, e-mail address, or folder name


def routes_for(unit: Unit, person: Person | None = None) -> list[Route]:
    robots = [Route(channel, name) for channel, name in (
        ("wecom", unit.wecom_robot), ("dingtalk", unit.dingtalk_robot), ("feishu", unit.feishu_robot),
    ) if name]
    if robots:
        return robots
    email = (person.email if person else None) or unit.email
    if email:
        return [Route("smtp", email)]
    return [Route("folder", FOLDER_TARGET)]

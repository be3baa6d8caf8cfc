"""Demo registry: real municipality names, invented people, registered through the registry import (the one way
to register). Seeding twice changes nothing."""

from __future__ import annotations

from events.values import AgencyKind, Role
from hub.kernel.errors import InvalidInput
from hub.registry.bulk_import import RegistryImport
from hub.service import Hub

K = AgencyKind
R = Role

DEMO_AGENCIES: tuple[tuple[str, str, AgencyKind, str | None], ...] = (
    ("TUK-SD", "Tukuma novada Sociālais dienests", K.SOCIAL_SERVICE, "tukuma-novads"),
    ("TUK-BT", "Tukuma novada bāriņtiesa", K.ORPHANS_COURT, "tukuma-novads"),
    ("TUK-SKOLA", "Tukuma 2. vidusskola", K.SCHOOL, "tukuma-novads"),
    ("DAU-SD", "Daugavpils pilsētas Sociālais dienests", K.SOCIAL_SERVICE, "daugavpils"),
    ("DAU-BT", "Daugavpils valstspilsētas bāriņtiesa", K.ORPHANS_COURT, "daugavpils"),
    ("DAU-SKOLA", "Daugavpils Valsts ģimnāzija", K.SCHOOL, "daugavpils"),
    ("RIX-SD", "Rīgas Sociālais dienests", K.SOCIAL_SERVICE, "riga"),
    ("RIX-BT", "Rīgas bāriņtiesa", K.ORPHANS_COURT, "riga"),
    ("RIX-SKOLA", "Rīgas 1. pamatskola", K.SCHOOL, "riga"),
    ("VP", "Valsts policija", K.POLICE, None),
    ("GA-TUK", "Ģimenes ārsta prakse Tukumā", K.HEALTH, "tukuma-novads"),
    (
        "LM-SPKKD",
        "Labklājības ministrija, Sociālo pakalpojumu kvalitātes kontroles departaments",
        K.MINISTRY,
        None,
    ),
    ("DAS", "Datu aizsardzības speciālists", K.AUDITOR, None),
    ("BAC", "Bērnu aizsardzības centrs", K.CHILD_PROTECTION_CENTRE, None),
)

DEMO_USERS: tuple[tuple[str, str, str, tuple[Role, ...]], ...] = (
    ("tukums.intake", "Ilze Kalniņa", "TUK-SD", (R.INTAKE_OFFICER,)),
    ("tukums.cm", "Anna Bērziņa", "TUK-SD", (R.CASE_MANAGER,)),
    ("tukums.head", "Jānis Ozols", "TUK-SD", (R.HEAD_OF_SERVICE,)),
    ("tukums.reviewer", "Inita Grīnberga", "TUK-SD", (R.CASE_REVIEWER,)),
    ("tukums.bt", "Līga Liepiņa", "TUK-BT", (R.ORPHANS_COURT_MEMBER,)),
    ("tukums.school", "Marta Kļaviņa", "TUK-SKOLA", (R.SOCIAL_PEDAGOGUE,)),
    ("daugavpils.cm", "Olga Petrova", "DAU-SD", (R.CASE_MANAGER,)),
    ("daugavpils.head", "Aleksandrs Ivanovs", "DAU-SD", (R.HEAD_OF_SERVICE,)),
    ("daugavpils.bt", "Inese Vanaga", "DAU-BT", (R.ORPHANS_COURT_MEMBER,)),
    ("daugavpils.school", "Valentīna Krūmiņa", "DAU-SKOLA", (R.SOCIAL_PEDAGOGUE,)),
    ("riga.cm", "Kristīne Zariņa", "RIX-SD", (R.CASE_MANAGER,)),
    ("riga.head", "Edgars Kalns", "RIX-SD", (R.HEAD_OF_SERVICE,)),
    ("riga.bt", "Dace Priede", "RIX-BT", (R.ORPHANS_COURT_MEMBER,)),
    ("riga.school", "Baiba Egle", "RIX-SKOLA", (R.SOCIAL_PEDAGOGUE,)),
    ("police.officer", "Artūrs Siliņš", "VP", (R.POLICE_OFFICER,)),
    ("doctor", "Dr. Rita Avotiņa", "GA-TUK", (R.HEALTH_PROFESSIONAL,)),
    ("ministry.supervisor", "Sandra Bērza", "LM-SPKKD", (R.SUPERVISOR,)),
    ("auditor", "Pēteris Auniņš", "DAS", (R.AUDITOR,)),
    ("registry.admin", "Gints Lapiņš", "BAC", (R.REGISTRY_ADMIN,)),
    ("tukums.admin", "Zane Krastiņa", "TUK-SD", (R.AGENCY_ADMIN,)),
    ("daugavpils.admin", "Jeļena Sokolova", "DAU-SD", (R.AGENCY_ADMIN,)),
)


def demo_rows() -> list[dict[str, str]]:
    """The demo registry as the rows of a registry import (`hub.registry.bulk_import`)."""
    agencies = [
        {"record": "agency", "code": code, "name": name, "kind": kind.value, "municipality": municipality or ""}
        for code, name, kind, municipality in DEMO_AGENCIES
    ]
    users = [
        {
            "record": "user",
            "username": username,
            "display_name": display_name,
            "agency": agency_code,
            "roles": " ".join(roles),
        }
        for username, display_name, agency_code, roles in DEMO_USERS
    ]
    return agencies + users


def seed_demo(hub: Hub) -> int:
    """Register the demo agencies and users that are missing, through the registry import; returns how many."""
    result = RegistryImport(hub.registry_admin).run(None, demo_rows())
    if result.problems:
        problem = result.problems[0]
        raise InvalidInput(problem.reason, f"demo row {problem.row}: {problem.message}", problem.field)
    return result.agencies_added + result.users_added

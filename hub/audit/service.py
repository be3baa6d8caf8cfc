"""The audit log as callers use it: signed checkpoints, inclusion and consistency proofs, verification, replay."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from eventsourcing.domain import datetime_now_with_tzinfo
from eventsourcing.utils import get_topic

from events.integrity import merkle
from events.integrity.checkpoint import Verifier
from events.integrity.cosignature import Cosigner
from events.values import DataCategory
from events.witness import WitnessAlarmRaised
from hub.audit.replay import ReplayFilter, replay
from hub.audit.verify import Problem, Progress, Report, verify_log
from hub.audit.witnesses import Witness, Witnessing
from hub.kernel.core import Core
from hub.kernel.errors import Forbidden, InvalidInput, NotFound
from hub.kernel.identity import load_or_create_signing_key
from hub.kernel.stored_records import StoredRecords
from policies.decision import AccessDecision, Principal
from policies.engine import ReadRequest, Relation
from projections.audit_log import AuditLog, CheckpointSigner
from projections.reviews import ReviewQueries
from projections.viewdb import Row

CHECKPOINT_KEY_FILE = "checkpoint-signing-key.pem"
ALARM_PAGE = 1000


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def checkpoint_document(row: Row, note: str | None = None) -> dict[str, Any]:
    """A checkpoint as the API serves it; `note` is the signed note with the witnesses' cosignatures, if any."""
    return {
        "tree_size": int(row["tree_size"]),
        "root_hash": _b64(bytes.fromhex(row["root_hash"])),
        "signed_at": row["signed_at"],
        "checkpoint": note or row["note"],
    }


class AuditService:
    """Owns the Merkle log (tables in the store's own database) and the checkpoint signing key."""

    def __init__(self, core: Core) -> None:
        self.core = core
        settings = core.settings
        key = load_or_create_signing_key(settings.key_dir, CHECKPOINT_KEY_FILE)
        self.verifier = Verifier(settings.checkpoint_origin, key.public_key())
        self.log = AuditLog(
            core.app.recorder,
            core.store_db,
            CheckpointSigner(settings.checkpoint_origin, key),
            datetime_now_with_tzinfo,
            settings.checkpoint_interval_seconds,
            settings.checkpoint_every_events,
        )
        self.records = StoredRecords(core.app.recorder, core.store_db)
        self.witnessing = Witnessing(
            self.log,
            core.store_db,
            [Witness.configured(endpoint) for endpoint in settings.witnesses],
            core.app.append,
            settings.witness_timeout_seconds,
        )
        if not settings.uses_postgres:
            # One process on SQLite, which is its signer. On PostgreSQL only the elected signer writes the tree
            # (`hub.roles`), never every process as it starts.
            self.log.catch_up()

    def seal(self) -> Row | None:
        """Give every stored record its leaf and sign a checkpoint now (if the tree grew), then have it witnessed."""
        self.log.catch_up()
        row = self.log.checkpoint(force=True)
        if row is not None:
            self.witnessing.submit(row)
        return row

    def follow_once(self) -> None:
        """One round of the elected signer: leaves, a checkpoint if due, and its submission to the witnesses."""
        self.log.catch_up()
        row = self.log.checkpoint()
        if row is not None:
            self.witnessing.submit(row)

    def verify(
        self,
        verifier: Verifier | None = None,
        progress: Progress | None = None,
        witnesses: int = 0,
        cosigners: Sequence[Cosigner] = (),
    ) -> Report:
        """Verify the log; with `witnesses` k, also require k cosignatures and compare with each witness's view."""
        key = verifier or self.verifier
        report = verify_log(self.records, self.log, key, progress)
        if witnesses:
            report.problems.extend(self.witnessing.check(key, witnesses, cosigners))
            report.problems.extend(
                Problem(
                    "witness_alarm",
                    f"witness {alarm.witness}",
                    f"refused the checkpoint at tree size {alarm.tree_size} ({alarm.status}: {alarm.reason})",
                )
                for alarm in self.alarms()
            )
        return report

    def alarms(self) -> list[WitnessAlarmRaised]:
        """Every refusal of a checkpoint by a witness, from the log, oldest first."""
        topics, found, start = [get_topic(WitnessAlarmRaised)], [], 1
        while batch := self.core.app.recorder.select_notifications(start, ALARM_PAGE, topics=topics):
            found += [self.core.app.mapper.to_domain_event(notification) for notification in batch]
            start = batch[-1].id + 1
        return [alarm for alarm in found if isinstance(alarm, WitnessAlarmRaised)]

    def latest_checkpoint(self) -> dict[str, Any]:
        row = self.log.latest_checkpoint()
        if row is None:
            raise NotFound("no_checkpoint", "no checkpoint has been signed yet")
        return checkpoint_document(row, self.witnessing.cosigned_note(row))

    def _checkpoint_for(self, tree_size: int | None, field: str) -> Row:
        row = self.log.latest_checkpoint() if tree_size is None else self.log.checkpoint_at(tree_size)
        if row is None:
            if tree_size is None:
                raise NotFound("no_checkpoint", "no checkpoint has been signed yet")
            raise InvalidInput("no_checkpoint_of_size", f"no checkpoint was signed at tree size {tree_size}", field)
        return row

    def inclusion_proof(self, notification_id: int, tree_size: int | None = None) -> dict[str, Any]:
        """The audit path of one stored record up to a signed checkpoint (the latest by default)."""
        checkpoint = self._checkpoint_for(tree_size, "tree_size")
        leaf = self.log.leaf_of_notification(notification_id)
        if leaf is None:
            raise NotFound("no_such_leaf", "no record with this notification id is in the log yet", "notification_id")
        if int(leaf["leaf_index"]) >= int(checkpoint["tree_size"]):
            raise InvalidInput(
                "not_yet_checkpointed", "the record is newer than the checkpoint; ask again shortly", "tree_size"
            )
        return self._proofs([leaf], checkpoint)[notification_id]

    def inclusion_proofs(self, notification_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Proofs of several records to the latest checkpoint (records it does not cover yet have none)."""
        checkpoint = self.log.latest_checkpoint()
        if checkpoint is None:
            return {}
        size = int(checkpoint["tree_size"])
        leaves = [self.log.leaf_of_notification(notification_id) for notification_id in notification_ids]
        covered = [leaf for leaf in leaves if leaf is not None and int(leaf["leaf_index"]) < size]
        return self._proofs(covered, checkpoint)

    def _proofs(self, leaves: Sequence[Row], checkpoint: Row) -> dict[int, dict[str, Any]]:
        """Inclusion proof documents (`hub audit check-proof` reads them) sharing one pass over the leaf hashes."""
        size = int(checkpoint["tree_size"])
        hashes = self.log.leaf_hashes(size) if leaves else []
        note = self.witnessing.cosigned_note(checkpoint)
        return {
            int(leaf["notification_id"]): {
                "type": "inclusion",
                "notification_id": int(leaf["notification_id"]),
                "leaf_index": int(leaf["leaf_index"]),
                "leaf_hash": _b64(bytes.fromhex(leaf["leaf_hash"])),
                "tree_size": size,
                "proof": [_b64(node) for node in merkle.inclusion_proof(hashes, int(leaf["leaf_index"]), size)],
                "checkpoint": note,
            }
            for leaf in leaves
        }

    def consistency_proof(self, old_size: int, new_size: int) -> dict[str, Any]:
        """Proof that the checkpoint at `new_size` extends the one at `old_size` (both must be signed)."""
        if old_size > new_size:
            raise InvalidInput("sizes_out_of_order", "`from` must not be larger than `to`", "from")
        old = self._checkpoint_for(old_size, "from")
        new = self._checkpoint_for(new_size, "to")
        path = merkle.consistency_proof(self.log.leaf_hashes(new_size), old_size, new_size)
        return {
            "type": "consistency",
            "from": old_size,
            "to": new_size,
            "proof": [_b64(node) for node in path],
            "old_checkpoint": old["note"],
            "checkpoint": self.witnessing.cosigned_note(new),
        }

    def audit_decision(self, principal: Principal) -> AccessDecision:
        """Whether the caller may work with the log itself (auditors only)."""
        return self.core.policy_engine.decide_read(
            ReadRequest(principal, frozenset({Relation.AUDIT_LOG}), (DataCategory.ACCESS_LOG,))
        )

    def verify_for(self, principal: Principal) -> Report:
        """Verify the whole log on an auditor's request (nothing personal is shown, so nothing is recorded)."""
        decision = self.audit_decision(principal)
        if not decision.permitted:
            raise Forbidden("access_denied", "; ".join(decision.reasons))
        return self.verify()

    def replay(self, principal: Principal, where: ReplayFilter, purpose: str) -> dict[str, Any]:
        """The filtered access and disclosure timeline, for auditors only; the replay is itself recorded."""
        decision = self.audit_decision(principal)
        subjects = (where.subject,) if where.subject else ()
        if not decision.permitted:
            self.core.record_access(principal, decision, "audit.replay", "audit-log", purpose, subjects)
            raise Forbidden("access_denied", "; ".join(decision.reasons))
        entries = list(replay(self.core.app.recorder, self.core.app.mapper, where))
        self.core.wait_for_views()
        outcomes = ReviewQueries(self.core.views_db).outcomes(
            [str(entry["review_id"]) for entry in entries if entry["review_id"]]
        )
        for entry in entries:
            entry["review"] = outcomes.get(str(entry["review_id"])) if entry["review_id"] else None
        self.core.record_access(principal, decision, "audit.replay", "audit-log", purpose, subjects)
        anchor = self.log.checkpoint_signed_by(where.as_of) if where.as_of else self.log.latest_checkpoint()
        document = checkpoint_document(anchor, self.witnessing.cosigned_note(anchor)) if anchor else None
        return {"entries": entries, "checkpoint": document}

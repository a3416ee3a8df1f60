"""A whole-run log audit: every log record of the test session goes to a file, checked at the end.

Registered by ``tests/hostile/conftest.py`` (so it is active whenever that folder is collected,
e.g. in the full suite; registering it from ``tests/conftest.py`` makes it unconditional). The
service's own ``idcard_ocr`` loggers are opened to INFO so that the per-request lines are audited
too. At the end of the run the file is scanned for what must never be logged: a full ID number
(18 characters whose check character is right), the sample card's name, number and address, and
the test server key. A finding fails the run and names the test that logged it, masked.

Cheap by design: one formatted line per record appended to an open file, one regex pass at the end.
"""

from __future__ import annotations

import logging
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pytest

from idcard_ocr.domain.id_number import check_char

PLUGIN_NAME = "idcard-log-audit"
LOG_FILE_NAME = "all-log-records.txt"
_ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")


@dataclass(frozen=True)
class Finding:
    """One forbidden value in the log file: where, and what (masked)."""

    line: int
    where: str
    what: str


def mask(value: str) -> str:
    """``3301**********4010`` for numbers, ``赵*`` for names."""
    if len(value) >= 8:
        return value[:4] + "*" * (len(value) - 8) + value[-4:]
    return value[:1] + "*" * max(len(value) - 1, 1)


def is_full_id_number(candidate: str) -> bool:
    """True for 18 characters whose last one is the right check character."""
    return check_char(candidate[:17]) == candidate[17].upper()


def find_private(text: str, literals: tuple[str, ...]) -> list[Finding]:
    """Every full ID number or listed literal in ``text`` (one audit line per text line)."""
    findings = []
    for number, line in enumerate(text.splitlines(), start=1):
        where = line.split("\t", 1)[0]
        for match in _ID_NUMBER.finditer(line):
            if is_full_id_number(match.group()):
                findings.append(Finding(number, where, mask(match.group())))
        findings.extend(Finding(number, where, mask(lit)) for lit in literals if lit and lit in line)
    return findings


class _FileHandler(logging.Handler):
    def __init__(self, audit: LogAudit) -> None:
        super().__init__(level=logging.DEBUG)
        self._audit = audit

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
            if record.exc_info:
                text += " " + logging.Formatter().formatException(record.exc_info)
            self._audit.write(f"{record.levelname} {record.name}: {text}")
        except Exception:  # an audit must never break the run it audits
            self.handleError(record)


class LogAudit:
    """The pytest plugin: collects records into ``path`` and checks them at session end."""

    def __init__(
        self,
        path: Path,
        literals: tuple[str, ...],
        root: logging.Logger | None = None,
        service: str = "idcard_ocr",
    ) -> None:
        self.path = path
        self.literals = literals
        self._root = root or logging.getLogger()
        self._service = service
        self.current_test = "(collection)"
        self.findings: list[Finding] = []
        self._file: IO[str] | None = None
        self._handler = _FileHandler(self)
        self._opened: list[tuple[logging.Logger, int]] = []

    def start(self) -> None:
        """Open the file and listen to the root logger (and the service's loggers at INFO)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("w", encoding="utf-8")
        self._root.addHandler(self._handler)
        service = logging.getLogger(self._service)
        if service.getEffectiveLevel() > logging.INFO:
            self._opened.append((service, service.level))
            service.setLevel(logging.INFO)

    def write(self, line: str) -> None:
        if self._file is not None:
            self._file.write(f"{self.current_test}\t{line.replace(chr(10), ' | ')}\n")

    def stop(self) -> list[Finding]:
        """Stop listening, close the file and scan it."""
        self._root.removeHandler(self._handler)
        for logger, level in self._opened:
            logger.setLevel(level)
        if self._file is not None:
            self._file.close()
            self._file = None
        self.findings = find_private(self.path.read_text(encoding="utf-8"), self.literals)
        return self.findings

    @pytest.hookimpl
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        if self._file is None:  # registered before the run's temporary directory existed
            self.path = _run_temp_dir(session.config) / LOG_FILE_NAME
            self.start()

    @pytest.hookimpl
    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        self.current_test = nodeid

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        findings = self.stop()
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if not findings:
            return
        if reporter is not None:
            reporter.write_line(
                f"log audit: {len(findings)} private value(s) logged ({self.path}):", red=True
            )
            for finding in findings[:20]:
                reporter.write_line(f"  line {finding.line} in {finding.where}: {finding.what}")
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _run_temp_dir(config: pytest.Config) -> Path:
    factory = getattr(config, "_tmp_path_factory", None)
    return factory.getbasetemp() if factory is not None else Path(tempfile.mkdtemp(prefix="log-audit-"))


def register(config: pytest.Config, literals: tuple[str, ...]) -> None:
    """Audit this run, writing under its pytest temporary directory (``all-log-records.txt``).

    From an initial conftest the audit starts at session start; from one imported during
    collection (the run's temporary directory exists by then) it starts at once.
    """
    if config.pluginmanager.has_plugin(PLUGIN_NAME):
        return
    audit = LogAudit(Path(LOG_FILE_NAME), literals)
    if getattr(config, "_tmp_path_factory", None) is not None:
        audit.path = _run_temp_dir(config) / LOG_FILE_NAME
        audit.start()
    config.pluginmanager.register(audit, PLUGIN_NAME)

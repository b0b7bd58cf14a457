#!/usr/bin/env python3
"""An independent verifier for Airlock's execution log, written from docs/execution-log.md alone.

    python3 verify_log.py LOG_DIR [--key audit-key.pub]

Checks the file numbering, every file's file.started header and its link to the previous file,
the hash chain, the sequence numbers and every checkpoint's Ed25519 signature. Prints the first
problem as FILE:LINE: KIND: MESSAGE and exits 1; prints "ok" and exits 0 when the log holds.
A torn tail left by a crash is a warning (see "Crashes and torn lines" in the format document).

Standard library only, plus the `cryptography` package for Ed25519; without it the chain is
still checked but the signatures are not, which is reported and makes the exit status 2.
"""
import hashlib
import json
import os
import re
import sys

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
except ImportError:  # pragma: no cover - depends on the machine
    Ed25519PublicKey = None

ZERO = "0" * 64
PREFIX = re.compile(rb'^\{"seq":([1-9][0-9]*),"time":"([0-9T:.Z-]{27})","prev":"([0-9a-f]{64})","kind":"([a-z.]+)"[,}]')


class Problem(Exception):
    def __init__(self, kind, file, line, message):
        super().__init__(f"{file}:{line}: {kind}: {message}")
        self.kind = kind


def strict_object(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError(f"duplicate key {key!r}")
        obj[key] = value
    return obj


def parse_record(line):
    """(seq, time, prev, kind, fields) of a well-formed record line, else None."""
    match = PREFIX.match(line)
    if not match:
        return None
    try:
        fields = json.loads(line.decode("utf-8"), object_pairs_hook=strict_object,
                            parse_constant=lambda name: (_ for _ in ()).throw(ValueError(name)))
    except ValueError:
        return None
    seq, time, prev, kind = (int(match.group(1)), match.group(2).decode(), match.group(3).decode(), match.group(4).decode())
    if fields.get("seq") != seq or fields.get("kind") != kind:
        return None
    return seq, time, prev, kind, fields


class Verifier:
    def __init__(self, directory, public_key):
        self.directory = directory
        self.public_key = public_key
        self.key_id = hashlib.sha256(public_key).hexdigest()[:16] if public_key else None
        self.expected_seq = 1
        self.head = ZERO
        self.head_place = ("", 0)
        self.pending_tail = None  # (file number, valid bytes, problem, "file:line")
        self.records = 0
        self.checkpoints = 0
        self.warnings = []

    def run(self):
        numbers = sorted(int(n[:-6]) for n in os.listdir(self.directory) if re.fullmatch(r"[0-9]{6,}\.jsonl", n))
        if not numbers:
            raise Problem("truncated", "000001.jsonl", 0, "no log files")
        for index, number in enumerate(numbers):
            expected = 1 if index == 0 else numbers[index - 1] + 1
            if number != expected:
                raise Problem("truncated", f"{expected:06d}.jsonl", 0,
                              f"file missing: the records from seq {self.expected_seq} on are gone")
            with open(os.path.join(self.directory, f"{number:06d}.jsonl"), "rb") as f:
                data = f.read().rstrip(b"\0")  # padding: see "Padding" in the format document
            self.walk(number, data, index == len(numbers) - 1)

    def walk(self, number, data, is_last):
        name = f"{number:06d}.jsonl"
        lines = data.split(b"\n")
        terminated = [True] * (len(lines) - 1) + [False]
        if lines[-1] == b"":
            lines, terminated = lines[:-1], terminated[:-1]
        offsets, offset = [], 0
        for line in lines:
            offsets.append(offset)
            offset += len(line) + 1
        self.check_header(number, name, lines, terminated)
        for i in range(1, len(lines)):
            record = parse_record(lines[i]) if terminated[i] else None
            if record and record[0] == self.expected_seq and record[2] == self.head:
                if record[3] == "checkpoint":
                    self.check_signature(record, name, i + 1)
                elif record[3] == "file.started":
                    raise Problem("inserted", name, i + 1, "a file header in the middle of a file")
                self.accept(lines[i], record[0], name, i + 1)
                continue
            problem = self.classify(lines, terminated, i, name)
            if is_last:
                if problem.kind != "torn_line":
                    raise problem
                self.warnings.append(str(problem))
            else:
                if problem.kind == "torn_line":  # only the next file's header can make it a crash's
                    problem = Problem("truncated", name, i + 1,
                                      "the file ends mid-record and the next file does not declare a torn tail")
                self.pending_tail = (number, offsets[i], problem, f"{name}:{i + 1}")
            return

    def accept(self, line, seq, name, line_number):
        self.head = hashlib.sha256(line).hexdigest()
        self.head_place = (name, line_number)
        self.expected_seq = seq + 1
        self.records += 1

    def check_header(self, number, name, lines, terminated):
        record = parse_record(lines[0]) if lines and terminated[0] else None
        if not record or record[3] != "file.started" or record[4].get("file") != number:
            raise Problem("edited", name, 1, "the file does not start with its file.started header")
        recovered = record[4].get("recovered")
        if self.pending_tail:
            tail_file, valid_bytes, problem, place = self.pending_tail
            if not isinstance(recovered, dict) or recovered.get("file") != tail_file or recovered.get("validBytes") != valid_bytes:
                raise problem
            self.warnings.append(f"{place}: torn_line: a crash left a tail after the last good record; the log continued in {name}")
            self.pending_tail = None
        elif recovered is not None:
            raise Problem("edited", name, 1, "the header declares a torn tail that the previous file does not have")
        seq, _, prev = record[0], record[1], record[2]
        if seq > self.expected_seq:
            raise Problem("truncated", *self.head_place,
                          f"the file ends at seq {self.expected_seq - 1} but {name} starts at seq {seq}")
        if seq < self.expected_seq:
            raise Problem("inserted", name, 1, f"the file starts at seq {seq}, expected {self.expected_seq}")
        if prev != self.head:
            raise Problem("edited", *self.head_place, f"the chain does not continue into {name}")
        self.accept(lines[0], seq, name, 1)

    def classify(self, lines, terminated, i, name):
        if not terminated[i]:
            kind = "torn_line" if i == len(lines) - 1 else "truncated"
            return Problem(kind, name, i + 1, "the line is incomplete (no newline)")
        record = parse_record(lines[i])
        if not record:
            return Problem("edited", name, i + 1, "not a well-formed record")
        seq = record[0]
        if seq > self.expected_seq:
            following = parse_record(lines[i + 1]) if i + 1 < len(lines) else None
            if following and following[0] == self.expected_seq:
                return Problem("reordered", name, i + 1, f"seq {seq} comes before seq {self.expected_seq}")
            return Problem("deleted", name, i + 1, f"records {self.expected_seq}..{seq - 1} are missing")
        if seq < self.expected_seq:
            return Problem("inserted", name, i + 1, f"seq {seq} appears again (a record was inserted or moved)")
        return Problem("edited", name, i + 1, "the hash chain breaks here (this record or the one before it was changed)")

    def check_signature(self, record, name, line_number):
        self.checkpoints += 1
        if self.public_key is None:
            return
        seq, time, prev, _, fields = record
        if fields.get("keyId") != self.key_id:
            raise Problem("bad_signature", name, line_number, f"signed with key {fields.get('keyId')}, not {self.key_id}")
        message = f"airlock-log-checkpoint-v1\n{seq}\n{prev}\n{time}\n".encode()
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(bytes.fromhex(fields.get("signature", "")), message)
        except (InvalidSignature, ValueError):
            raise Problem("bad_signature", name, line_number, "the signature does not verify")


def main(argv):
    args = argv[1:]
    key_path = None
    if "--key" in args:
        at = args.index("--key")
        key_path = args[at + 1]
        del args[at:at + 2]
    directory = args[0] if args else ".airlock/log"
    key_path = key_path or os.path.join(os.path.dirname(os.path.abspath(directory)), "audit-key.pub")
    public_key = None
    if Ed25519PublicKey is None:
        print("warning: the cryptography package is missing: checkpoint signatures are NOT checked", file=sys.stderr)
    else:
        with open(key_path) as f:
            public_key = bytes.fromhex(f.read().strip())
    verifier = Verifier(directory, public_key)
    try:
        verifier.run()
    except Problem as problem:
        for warning in verifier.warnings:
            print(f"warning: {warning}")
        print(f"FAILED: {problem}")
        return 1
    for warning in verifier.warnings:
        print(f"warning: {warning}")
    print(f"ok: {verifier.records} records, {verifier.checkpoints} checkpoints, head {verifier.head}")
    return 0 if public_key is not None else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

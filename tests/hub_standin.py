"""A local HTTP server standing in for the Hugging Face Hub (set HF_ENDPOINT to its url) and for the dataset
viewer (LRCLI_DATASET_VIEWER), serving the response shapes the Hub documents — enough of them that the real
huggingface_hub (`snapshot_download`, `HfApi.dataset_info`) and `datasets.load_dataset` work against it, which is how
the tests build real cache layouts.

Endpoints:
- GET /api/datasets/{id}[/revision/{rev}]: {_id, id, author, sha, lastModified, private, gated, disabled, tags,
  downloads, likes, cardData, siblings: [{rfilename}], createdAt, usedStorage} (the Hub's dataset info);
- GET /api/datasets/{id}/tree/{rev}[/{path}]?recursive=: [{type, oid, size, path}];
- POST /api/datasets/{id}/paths-info/{rev} (form `paths`): the same entries for the paths asked;
- HEAD/GET /datasets/{id}/resolve/{rev}/{path}: the file, with X-Repo-Commit and ETag, and byte ranges;
- GET /size?dataset={id}[&config=] (viewer): {size: {dataset, configs, splits: [{dataset, config, split, num_rows,
  ...}]}, pending, failed, partial}.
Unknown repos get 404 with X-Error-Code RepoNotFound, gated ones 403 with GatedRepo, as the Hub answers.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import yaml


@dataclass
class Repo:
    files: dict[str, bytes]
    card: dict[str, Any] | None
    sha: str
    viewer: dict[str, dict[str, int]] | None = None  # config -> split -> num_rows
    viewer_partial: bool = False
    gated: bool = False


@dataclass
class StandInHub:
    repos: dict[str, Repo] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0  # seconds every answer waits (a Hub that hangs)
    server: ThreadingHTTPServer | None = None

    def add(self, repo_id: str, files: dict[str, bytes] | None = None, card: dict[str, Any] | None = None,
            viewer: dict[str, dict[str, int]] | None = None, *, sha: str | None = None, partial: bool = False,
            gated: bool = False) -> Repo:
        files = dict(files or {})
        if card is not None:
            files["README.md"] = ("---\n" + yaml.safe_dump(card, sort_keys=False) + "---\n").encode()
        sha = sha or hashlib.sha1(json.dumps([repo_id, sorted((k, hashlib.sha1(v).hexdigest()) for k, v in files.items()), viewer], default=str).encode()).hexdigest()
        repo = Repo(files, card, sha, viewer, partial, gated)
        self.repos[repo_id] = repo
        return repo

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> StandInHub:
        hub = self

        class Handler(_Handler):
            state = hub

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def __enter__(self) -> StandInHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _entry(path: str, data: bytes) -> dict[str, Any]:
    return {"type": "file", "oid": hashlib.sha1(data).hexdigest(), "size": len(data), "path": path}


class _Handler(BaseHTTPRequestHandler):
    state: StandInHub
    protocol_version = "HTTP/1.0"  # one request per connection: after stop() nothing answers any more

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, code: int, body: bytes = b"", headers: dict[str, str] | None = None,
              ctype: str = "application/json") -> None:
        self.send_response(code)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, obj: Any, code: int = 200, headers: dict[str, str] | None = None) -> None:
        self._send(code, json.dumps(obj).encode(), headers)

    def _missing(self) -> None:
        self._send(404, b'{"error":"Repository not found"}', {"X-Error-Code": "RepoNotFound",
                                                               "X-Error-Message": "Repository not found"})

    def _repo(self, repo_id: str) -> Repo | None:
        repo = self.state.repos.get(repo_id)
        if repo is None:
            self._missing()
            return None
        if repo.gated and "authorization" not in {k.lower() for k in self.headers}:
            self._send(403, b'{"error":"Access to this dataset is restricted"}',
                       {"X-Error-Code": "GatedRepo", "X-Error-Message": "Access to dataset is restricted."})
            return None
        return repo

    def _begin(self) -> urllib.parse.SplitResult:
        self.state.requests.append((self.command, self.path))
        if self.state.delay:
            time.sleep(self.state.delay)
        return urllib.parse.urlsplit(self.path)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_POST(self) -> None:
        url = self._begin()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        match = re.fullmatch(r"/api/datasets/([^/]+/[^/]+)/paths-info/([^/]+)", url.path)
        if not match:
            return self._missing()
        repo = self._repo(match[1])
        if repo is None:
            return None
        if body.startswith(b"{"):
            paths = json.loads(body).get("paths", [])
        else:
            paths = urllib.parse.parse_qs(body.decode()).get("paths", [])
        out = []
        for path in paths:
            if path in repo.files:
                out.append(_entry(path, repo.files[path]))
            elif any(f.startswith(path.rstrip("/") + "/") for f in repo.files):
                out.append({"type": "directory", "oid": "0" * 40, "path": path})
        return self._json(out)

    def do_GET(self) -> None:
        url = self._begin()
        query = urllib.parse.parse_qs(url.query)
        if url.path == "/size":
            return self._size(query)
        match = re.fullmatch(r"/api/datasets/([^/]+/[^/]+)(?:/revision/([^/]+))?", url.path)
        if match:
            repo = self._repo(match[1])
            if repo is None:
                return None
            revision = urllib.parse.unquote(match[2] or "main")
            if revision not in ("main", repo.sha):
                return self._send(404, b'{"error":"Invalid rev id"}', {"X-Error-Code": "RevisionNotFound",
                                                                        "X-Error-Message": "Invalid rev id"})
            return self._json({
                "_id": hashlib.sha1(match[1].encode()).hexdigest()[:24], "id": match[1],
                "author": match[1].split("/")[0], "sha": repo.sha, "lastModified": "2025-07-29T00:00:00.000Z",
                "private": False, "gated": "auto" if repo.gated else False, "disabled": False, "tags": [],
                "downloads": 0, "likes": 0, "cardData": repo.card or {},
                "siblings": [{"rfilename": p} for p in sorted(repo.files)],
                "createdAt": "2024-01-01T00:00:00.000Z", "usedStorage": sum(map(len, repo.files.values())),
            })
        match = re.fullmatch(r"/api/datasets/([^/]+/[^/]+)/tree/([^/]+)(?:/(.*))?", url.path)
        if match:
            repo = self._repo(match[1])
            if repo is None:
                return None
            return self._json(self._tree(repo, urllib.parse.unquote(match[3] or "").strip("/"),
                                         query.get("recursive", ["false"])[0].lower() == "true"))
        match = re.fullmatch(r"/datasets/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", url.path)
        if match:
            repo = self._repo(match[1])
            if repo is None:
                return None
            return self._file(repo, urllib.parse.unquote(match[3]))
        return self._missing()

    def _tree(self, repo: Repo, base: str, recursive: bool) -> list[dict[str, Any]]:
        out, dirs = [], set()
        for path, data in sorted(repo.files.items()):
            if base and not path.startswith(base + "/"):
                continue
            rest = path[len(base) + 1:] if base else path
            prefix = base + "/" if base else ""
            if "/" in rest and not recursive:
                dirs.add(prefix + rest.split("/")[0])
                continue
            parts = rest.split("/")[:-1]
            dirs.update(prefix + "/".join(parts[: i + 1]) for i in range(len(parts)))
            out.append(_entry(path, data))
        return out + [{"type": "directory", "oid": "0" * 40, "size": 0, "path": d} for d in sorted(dirs)]

    def _file(self, repo: Repo, path: str) -> None:
        if path not in repo.files:
            return self._send(404, b'{"error":"Entry not found"}', {"X-Error-Code": "EntryNotFound",
                                                                     "X-Repo-Commit": repo.sha})
        data = repo.files[path]
        headers = {"X-Repo-Commit": repo.sha, "ETag": '"' + hashlib.sha1(data).hexdigest() + '"',
                   "Accept-Ranges": "bytes"}
        byte_range = self.headers.get("Range")
        if byte_range and self.command == "GET":
            first, last = byte_range.split("=", 1)[1].split("-")
            start, end = ((len(data) - int(last), len(data) - 1) if first == "" else
                          (int(first), int(last) if last else len(data) - 1))
            end = min(end, len(data) - 1)
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
            return self._send(206, data[start: end + 1], headers, "application/octet-stream")
        return self._send(200, data, headers, "application/octet-stream")

    def _size(self, query: dict[str, list[str]]) -> None:
        repo_id = query.get("dataset", [""])[0]
        repo = self.state.repos.get(repo_id)
        if repo is None or repo.viewer is None:
            return self._send(404, b'{"error":"The dataset does not exist."}', {"X-Error-Code": "ResourceNotFound"})
        config = query.get("config", [None])[0]
        configs = {c: s for c, s in repo.viewer.items() if config is None or c == config}
        if not configs:
            return self._send(404, b'{"error":"Not found."}', {"X-Error-Code": "ResourceNotFound"})
        splits = [{"dataset": repo_id, "config": c, "split": s, "num_bytes_parquet_files": 0, "num_bytes_memory": 0,
                   "num_rows": n, "num_columns": 1} for c, ss in configs.items() for s, n in ss.items()]
        config_rows = [{"dataset": repo_id, "config": c, "num_bytes_original_files": 0, "num_bytes_parquet_files": 0,
                        "num_bytes_memory": 0, "num_rows": sum(ss.values()), "num_columns": 1}
                       for c, ss in configs.items()]
        if config is None:
            size = {"dataset": {"dataset": repo_id, "num_bytes_original_files": 0, "num_bytes_parquet_files": 0,
                                "num_bytes_memory": 0, "num_rows": sum(r["num_rows"] for r in splits)},
                    "configs": config_rows, "splits": splits}
        else:
            size = {"config": config_rows[0], "splits": splits}
        return self._json({"size": size, "pending": [], "failed": [], "partial": repo.viewer_partial})

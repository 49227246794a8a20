"""Row counts from the Hugging Face Hub's own metadata, through huggingface_hub (the library the frameworks use):
HF_ENDPOINT, HF_TOKEN / `hf auth login` for gated and private sets, and a timeout on every request.

1. GET /api/datasets/{id}/revision/{revision} (`HfApi.dataset_info`): the commit sha, and `cardData.dataset_info`
   — the `num_examples` of each split the card lists (lrcli.data.card).
2. When the card has no counts: the dataset viewer's GET /size?dataset={id}&config={config}
   (`size.splits[].num_rows`), which covers the default branch only, and is used only when the viewer says its
   numbers are not partial (a dataset the viewer converted only in part).
3. When neither answers (a data_dir or data_files read, or a dataset the viewer has not sized) and the split's files
   are Parquet: the files of the revision (GET /api/datasets/{id}/tree/{sha}), chosen by datasets' layout rules
   (lrcli.data.patterns), and each file's footer read with two HTTP range requests — the rows are never downloaded.
huggingface_hub is imported here only, when lrcli really asks the Hub.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lrcli.data import patterns
from lrcli.data.card import Card, parse_card_data
from lrcli.data.hub_cache import card_split_rows, config_for, explicit_patterns
from lrcli.data.locations import hub_endpoint, viewer_endpoint
from lrcli.data.refs import DatasetRef, NotFound
from lrcli.data.splits import split_names

DEFAULT_TIMEOUT = 10.0  # seconds per request (LRCLI_HUB_TIMEOUT overrides)


def timeout_seconds() -> float:
    try:
        return max(float(os.environ.get("LRCLI_HUB_TIMEOUT", DEFAULT_TIMEOUT)), 0.1)
    except ValueError:
        return DEFAULT_TIMEOUT


@dataclass(frozen=True)
class HubAnswer:
    split_rows: dict[str, int]  # rows of each whole split the ref reads
    sha: str
    how: str  # "dataset card" or "dataset viewer"
    config: str


def _card_dict(card_data: Any) -> Mapping[str, Any]:
    if card_data is None:
        return {}
    if isinstance(card_data, Mapping):
        return card_data
    to_dict = getattr(card_data, "to_dict", None)
    return to_dict() if callable(to_dict) else {}


def _unreachable(exc: BaseException) -> NotFound:
    detail = str(exc).splitlines()[0][:160] if str(exc) else ""
    return NotFound(f"the Hub at {hub_endpoint()} (not reachable: {type(exc).__name__}{': ' + detail if detail else ''})")


def dataset_info(repo_id: str, revision: str | None) -> tuple[str, Mapping[str, Any]]:
    """(commit sha, card metadata) of a dataset revision on the Hub; NotFound with the reason otherwise."""
    from huggingface_hub import HfApi
    from huggingface_hub import errors as hub_errors

    api = HfApi(endpoint=hub_endpoint())
    where = f"the Hub at {hub_endpoint()}"
    try:
        info = api.dataset_info(repo_id, revision=revision, timeout=timeout_seconds())
    except hub_errors.GatedRepoError:
        raise NotFound(f"{where} ({repo_id} is gated: accept its terms on the Hub, then log in with `hf auth login` "
                       "or set HF_TOKEN)") from None
    except hub_errors.RevisionNotFoundError:
        raise NotFound(f"{where} ({repo_id} has no revision {revision})") from None
    except hub_errors.RepositoryNotFoundError:
        raise NotFound(f"{where} (no dataset {repo_id}, or it is private: log in with `hf auth login` or set "
                       "HF_TOKEN)") from None
    except hub_errors.OfflineModeIsEnabled:
        raise NotFound(f"{where} (HF_HUB_OFFLINE is set)") from None
    except hub_errors.HFValidationError:
        raise NotFound(f"{where} ({repo_id!r} is not a Hub dataset id)") from None
    except Exception as exc:  # noqa: BLE001 - timeouts and connection errors (httpx or requests, by version)
        raise _unreachable(exc) from None
    if not info.sha:
        raise NotFound(f"{where} (no commit sha in its answer for {repo_id})")
    return info.sha, _card_dict(info.card_data)


def viewer_rows(ref: DatasetRef, config: str | None) -> tuple[str, dict[str, int]]:
    """(config, {split: num_rows}) from the dataset viewer's /size; NotFound when it has no full count. Without a
    config name the only config is used, or "default" among several (datasets' choice)."""
    base = viewer_endpoint()
    if base is None:
        raise NotFound(f"the dataset viewer (not available for HF_ENDPOINT {hub_endpoint()})")
    from huggingface_hub.utils import build_hf_headers, get_session

    params = {"dataset": ref.path}
    if config:
        params["config"] = config
    try:
        response = get_session().get(f"{base}/size", params=params, headers=build_hf_headers(),
                                     timeout=timeout_seconds())
    except Exception as exc:  # noqa: BLE001 - as above
        raise NotFound(f"the dataset viewer at {base} (not reachable: {type(exc).__name__})") from None
    if response.status_code != 200:
        raise NotFound(f"the dataset viewer at {base} (HTTP {response.status_code} for {ref.path})")
    try:
        payload = response.json()
        entries = payload["size"]["splits"]
    except (ValueError, KeyError, TypeError):
        raise NotFound(f"the dataset viewer at {base} (an answer without size.splits)") from None
    if payload.get("partial") or payload.get("pending") or payload.get("failed"):
        raise NotFound(f"the dataset viewer at {base} (only a partial count of {ref.path})")
    by_config: dict[str, dict[str, int]] = {}
    for entry in entries:
        if isinstance(entry, Mapping) and isinstance(entry.get("num_rows"), int):
            by_config.setdefault(str(entry.get("config")), {})[str(entry.get("split"))] = entry["num_rows"]
    if config is None:
        if len(by_config) > 1 and "default" not in by_config:
            raise NotFound(f"the dataset viewer at {base} ({ref.path} has configs {', '.join(by_config)}: name one)")
        config = "default" if "default" in by_config else next(iter(by_config), "default")
    if config not in by_config:
        raise NotFound(f"the dataset viewer at {base} (no config {config} of {ref.path})")
    return config, by_config[config]


FOOTER_TAIL = 8  # <footer length: 4 bytes> PAR1


def _ranged(url: str, byte_range: str) -> bytes:
    from huggingface_hub.utils import build_hf_headers, get_session

    headers = {**build_hf_headers(), "Range": f"bytes={byte_range}"}
    response = get_session().get(url, headers=headers, timeout=timeout_seconds(), follow_redirects=True)
    if response.status_code not in (200, 206):
        raise NotFound(f"the Hub at {hub_endpoint()} (HTTP {response.status_code} for {url})")
    data = response.content
    if response.status_code == 200:  # a server that ignores Range sends the whole file: take the part asked for
        start, _, end = byte_range.partition("-")
        data = data[-int(end):] if start == "" else data[int(start): int(end) + 1]
    return data


def parquet_footer_rows(repo_id: str, sha: str, filename: str) -> int:
    """num_rows of a Parquet file on the Hub from its footer (two range requests)."""
    import struct

    from huggingface_hub import hf_hub_url

    from lrcli.data.parquet_rows import MAGIC, ParquetFormatError, footer_num_rows

    url = hf_hub_url(repo_id, filename, repo_type="dataset", revision=sha, endpoint=hub_endpoint())
    tail = _ranged(url, f"-{FOOTER_TAIL}")
    if len(tail) != FOOTER_TAIL or tail[4:] != MAGIC:
        raise NotFound(f"the Hub file {filename} of {repo_id} (not a Parquet file)")
    (length,) = struct.unpack("<I", tail[:4])
    footer = _ranged(url, f"-{length + FOOTER_TAIL}")[:length]
    try:
        return footer_num_rows(footer)
    except ParquetFormatError as exc:
        raise NotFound(f"the Hub file {filename} of {repo_id} (unreadable footer: {exc})") from None


def hub_file_rows(ref: DatasetRef, sha: str, card: Card) -> dict[str, int]:
    """{split: rows} from the Parquet footers of the revision's files; NotFound when a split has other files."""
    from huggingface_hub import HfApi

    where = f"the Hub files of {ref.path} at {sha[:7]}"
    try:
        files = HfApi(endpoint=hub_endpoint()).list_repo_files(ref.path, repo_type="dataset", revision=sha)
    except Exception as exc:  # noqa: BLE001 - network errors of either HTTP backend
        raise _unreachable(exc) from None
    layout = patterns.split_files(files, explicit_patterns(ref, card, where), ref.data_dir)
    rows = {}
    for split in split_names(ref.split) or tuple(layout):
        chosen = layout.get(split)
        if not chosen:
            raise NotFound(f"{where} (no data files for split {split})")
        if any(not f.endswith(".parquet") for f in chosen):
            raise NotFound(f"{where} (split {split} is not all Parquet: counting it would mean downloading it)")
        rows[split] = sum(parquet_footer_rows(ref.path, sha, f) for f in chosen)
    return rows


def hub_rows(ref: DatasetRef) -> HubAnswer:
    """The rows of each split a ref reads, from the Hub's card, else its dataset viewer."""
    sha, card_data = dataset_info(ref.path, ref.revision)
    card = parse_card_data(card_data)
    where = f"the Hub, revision {sha[:7]},"
    try:
        return HubAnswer(card_split_rows(ref, card, f"{where} dataset"), sha, "dataset card",
                         config_for(ref, card, where))
    except NotFound as card_miss:
        tried = [card_miss.tried]
    wanted = split_names(ref.split)
    wanted_config = ref.name or (config_for(ref, card, where) if card.config_names else None)
    if ref.data_dir or ref.data_files:
        tried.append("the dataset viewer (it counts whole configs only)")
    elif ref.revision and ref.revision not in (sha, "main"):
        tried.append("the dataset viewer (it counts the default branch only)")
    else:
        try:
            config, counts = viewer_rows(ref, wanted_config)
            missing = [s for s in wanted if s not in counts]
            if missing:
                raise NotFound(f"the dataset viewer (no split {missing[0]} of {ref.path})")
            return HubAnswer({s: counts[s] for s in wanted} if wanted else counts, sha, "dataset viewer", config)
        except NotFound as viewer_miss:
            tried.append(viewer_miss.tried)
    try:
        return HubAnswer(hub_file_rows(ref, sha, card), sha, "Parquet footers", wanted_config or "default")
    except NotFound as files_miss:
        tried.append(files_miss.tried)
    raise NotFound("; ".join(tried))

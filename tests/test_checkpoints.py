"""Real checkpoints read header only: safetensors (single, sharded, directory), GGUF, the config cross-check.

The files in tests/data/checkpoints/ were written by the real writers (transformers'
save_pretrained, safetensors' save_file, gguf's GGUFWriter) and tests/golden/checkpoint/
holds what the real libraries report about them (tools/checkpoint_fixtures.py).
"""

from __future__ import annotations

import json
import tempfile
from math import prod
from pathlib import Path
from typing import Any

import pytest
from conftest import GOLDEN, ROOT, SPECS, RunCli, Snapshot, render_cli

import paramcalc
from paramcalc.checkpoint import load_checkpoint
from paramcalc.checkpoint.crosscheck import Difference, compare, folded
from paramcalc.checkpoint.dtypes import GGML_TYPES, SAFETENSORS_BITS
from paramcalc.checkpoint.group import module_of

DATA = ROOT / "tests" / "data" / "checkpoints"
GOLD = GOLDEN / "checkpoint"


def _golden(name: str) -> dict[str, Any]:
    return json.loads((GOLD / f"{name}.json").read_text(encoding="utf-8"))


SAFETENSORS = {
    "llama_tiny": DATA / "llama_tiny" / "model.safetensors",
    "llama_sharded": DATA / "llama_sharded" / "model.safetensors.index.json",
    "llama_tied": DATA / "llama_tied" / "model.safetensors",
    "llama_state_dict": DATA / "llama_state_dict" / "model.safetensors",
    "dtypes": DATA / "dtypes.safetensors",
    "all_dtypes": DATA / "all_dtypes.safetensors",
}


@pytest.mark.parametrize("name", sorted(SAFETENSORS))
def test_safetensors_tensors_are_what_safetensors_reads(name: str) -> None:
    checkpoint = load_checkpoint(str(SAFETENSORS[name]))
    got = sorted(
        ({"name": t.name, "dtype": t.dtype, "shape": list(t.shape), "nbytes": t.nbytes} for t in checkpoint.tensors),
        key=lambda t: t["name"],
    )
    want = [{k: t[k] for k in ("name", "dtype", "shape", "nbytes")} for t in _golden(name)["tensors"]]
    assert got == want


@pytest.mark.parametrize("name", ["llama_tiny", "llama_sharded", "llama_tied", "llama_state_dict"])
def test_checkpoint_total_is_the_models_parameter_count(name: str) -> None:
    golden = _golden(name)
    report = paramcalc.summary(SAFETENSORS[name])
    assert report.total == golden["parameters"]
    assert report.bytes == sum(t["nbytes"] for t in golden["tensors"])


@pytest.mark.parametrize("name", ["llama_tiny", "llama_sharded", "llama_tied", "llama_state_dict"])
def test_config_beside_the_weights_derives_the_same_count(name: str) -> None:
    """The cross-check golden: paramcalc's count of config.json = torch's count of the saved model."""
    golden = _golden(name)
    assert paramcalc.count(DATA / golden["config"]) == golden["parameters"]
    crosscheck = paramcalc.summary(SAFETENSORS[name]).crosscheck  # type: ignore[attr-defined]
    assert crosscheck is not None
    assert crosscheck.match
    assert crosscheck.by_name
    assert crosscheck.expected == crosscheck.stored == golden["parameters"]


def test_sharded_index_metadata_is_checked() -> None:
    golden = _golden("llama_sharded")
    report = paramcalc.summary(DATA / "llama_sharded")
    assert report.extras["checkpoint"]["declared"] == golden["index_metadata"]
    assert len(report.extras["checkpoint"]["files"]) == 5
    assert "index metadata total_size 31,680: matches the bytes the shards hold" in report.notes
    assert "index metadata total_parameters 7,920: matches the parameters the shards hold" in report.notes


def test_sharded_index_with_wrong_totals_says_so(tmp_path: Path) -> None:
    for path in (DATA / "llama_sharded").iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    index = tmp_path / "model.safetensors.index.json"
    doc = json.loads(index.read_text())
    doc["metadata"]["total_size"] = 12345
    index.write_text(json.dumps(doc))
    report = paramcalc.summary(tmp_path)
    assert "index metadata total_size 12,345 does not match the 31,680 bytes the shards hold" in report.notes


def test_directory_file_and_index_give_the_same_report() -> None:
    by_dir = paramcalc.summary(DATA / "llama_sharded").to_dict()
    by_index = paramcalc.summary(DATA / "llama_sharded" / "model.safetensors.index.json").to_dict()
    by_dir.pop("name")
    by_index.pop("name")
    assert by_dir == by_index
    single = paramcalc.summary(DATA / "llama_tiny").to_dict()
    assert [row["params"] for row in single["layers"]] == [row["params"] for row in by_dir["layers"]]


def test_blocks_fold_and_modules_follow_the_configs_order() -> None:
    report = paramcalc.summary(DATA / "llama_tiny")
    rows = [(row.name, row.class_name, row.repeat, row.params) for row in report.layers]
    assert rows == [
        ("model.embed_tokens", "Embedding", 1, 1024),
        ("model.layers.0-2", "LlamaDecoderLayer", 3, 5856),
        ("model.norm", "LlamaRMSNorm", 1, 16),
        ("lm_head", "Linear", 1, 1024),
    ]
    config_rows = paramcalc.summary(DATA / "llama_tiny" / "config.json").layers
    assert [(r.name, r.params) for r in config_rows] == [(name, params) for name, _, _, params in rows]


def test_without_a_config_rows_are_named_by_tensor_count(tmp_path: Path) -> None:
    weights = tmp_path / "model.safetensors"
    weights.write_bytes((DATA / "llama_tiny" / "model.safetensors").read_bytes())
    report = paramcalc.summary(weights)
    assert report.crosscheck is None  # type: ignore[attr-defined]
    assert "crosscheck" not in report.to_dict()
    labels = {row.name: (row.class_name, row.repeat) for row in report.layers}
    assert labels["model.layers.0-2"] == ("9 tensors", 3)
    assert labels["lm_head"] == ("1 tensor", 1)


@pytest.mark.parametrize(
    ("name", "module"),
    [
        ("model.layers.5.self_attn.q_proj.weight", ("model.layers.5", "model.layers", 5, "self_attn.q_proj.weight")),
        ("model.norm.weight", ("model.norm", "", None, "weight")),
        ("blk.12.ffn_up.weight", ("blk.12", "blk", 12, "ffn_up.weight")),
        (
            "encoder.block.0.layer.1.DenseReluDense.wi.weight",
            ("encoder.block.0", "encoder.block", 0, "layer.1.DenseReluDense.wi.weight"),
        ),
        ("0.weight", ("0", "", 0, "weight")),
        ("scale", ("scale", "", None, "scale")),
    ],
)
def test_tensors_group_into_modules_as_the_hf_summary_does(name: str, module: tuple[object, ...]) -> None:
    assert module_of(name) == module


def test_stored_dtypes_and_bytes_include_fp8_fp4_and_packed_tensors() -> None:
    golden = {t["name"]: t for t in _golden("dtypes")["tensors"]}
    report = paramcalc.summary(SAFETENSORS["dtypes"])
    terms = {
        row.name if row.name == t.weight else f"{row.name}.{t.weight}": t for row in report.layers for t in row.terms
    }
    assert {name: t.dtype for name, t in terms.items()} == {name: t["dtype"] for name, t in golden.items()}
    assert report.bytes == sum(t["nbytes"] for t in golden.values())
    assert report.total == sum(t.count for t in terms.values())
    assert report.dtype == "mixed"
    doc = report.to_dict()
    assert doc["checkpoint"]["dtypes"]["F4"] == {"tensors": 1, "params": 64, "bytes": 32}
    assert doc["checkpoint"]["dtypes"]["F8_E4M3"]["bytes"] == 32


def test_every_dtype_safetensors_writes_is_read_with_its_bytes() -> None:
    golden = _golden("all_dtypes")["tensors"]
    assert len(golden) == 20  # every torch dtype safetensors' writer takes
    report = paramcalc.summary(SAFETENSORS["all_dtypes"])
    assert report.total == sum(prod(t["shape"]) for t in golden)
    assert report.bytes == sum(t["nbytes"] for t in golden)
    per_dtype = report.to_dict()["checkpoint"]["dtypes"]
    assert {d: e["bytes"] for d, e in per_dtype.items()} == {t["dtype"]: t["nbytes"] for t in golden}


def _safetensors_file(path: Path, header: dict[str, Any], data: int) -> Path:
    raw = json.dumps(header).encode()
    path.write_bytes(len(raw).to_bytes(8, "little") + raw + bytes(data))
    return path


ACCEPTANCE = json.loads((GOLD / "safetensors_dtypes.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("dtype", sorted(ACCEPTANCE))
def test_dtype_names_and_sub_byte_counts_are_accepted_as_safetensors_accepts_them(dtype: str, tmp_path: Path) -> None:
    """For 0-8 elements of each dtype name: the bytes safetensors' reader wants, or its refusal."""
    for count, nbytes in ACCEPTANCE[dtype].items():
        if nbytes is None:  # no byte length is accepted: paramcalc refuses whatever length it is given
            for tried in (0, int(count), 8 * int(count)):
                header = {"t": {"dtype": dtype, "shape": [int(count)], "data_offsets": [0, tried]}}
                path = _safetensors_file(tmp_path / "t.safetensors", header, tried)
                with pytest.raises(paramcalc.ParamcalcError):
                    load_checkpoint(str(path))
            continue
        header = {"t": {"dtype": dtype, "shape": [int(count)], "data_offsets": [0, nbytes]}}
        (tensor,) = load_checkpoint(str(_safetensors_file(tmp_path / "t.safetensors", header, nbytes))).tensors
        assert (tensor.dtype, tensor.count, tensor.nbytes) == (dtype, int(count), nbytes)
        if nbytes:
            header["t"]["data_offsets"] = [0, nbytes + 1]
            with pytest.raises(paramcalc.ParamcalcError):
                load_checkpoint(str(_safetensors_file(tmp_path / "t.safetensors", header, nbytes + 1)))


def test_a_tensors_other_keys_are_ignored_as_safetensors_ignores_them(tmp_path: Path) -> None:
    header = {"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8], "sha256": "..."}}
    assert paramcalc.count(_safetensors_file(tmp_path / "w.safetensors", header, 8)) == 2


def test_gguf_quant_table_is_ggufs_own() -> None:
    golden = json.loads((GOLD / "ggml_quant_sizes.json").read_text())
    assert {name: [block, size, type_id] for type_id, (name, block, size) in GGML_TYPES.items()} == golden


def test_safetensors_dtypes_cover_the_crates_list() -> None:
    assert len(SAFETENSORS_BITS) == 22  # the Dtype enum of safetensors 0.8 (BOOL ... U64)
    assert SAFETENSORS_BITS["F4"] == 4
    assert SAFETENSORS_BITS["F6_E2M3"] == 6


GGUF_FILES = {
    "all_types": DATA / "all_types.gguf",
    "gguf_llama": DATA / "gguf_llama" / "tiny-llama.Q8_0.gguf",
    "aligned": DATA / "aligned.gguf",
}


@pytest.mark.parametrize("name", sorted(GGUF_FILES))
def test_gguf_tensors_are_what_ggufs_reader_reads(name: str) -> None:
    path = GGUF_FILES[name]
    checkpoint = load_checkpoint(str(path))
    got = [
        {"name": t.name, "dtype": t.dtype, "shape": list(t.shape), "nbytes": t.nbytes, "count": t.count}
        for t in checkpoint.tensors
    ]
    assert got == _golden(name)["tensors"]


def test_gguf_summary_counts_quantized_bytes_exactly() -> None:
    golden = _golden("all_types")["tensors"]
    report = paramcalc.summary(DATA / "all_types.gguf")
    assert report.total == sum(t["count"] for t in golden)
    assert report.bytes == sum(t["nbytes"] for t in golden)
    assert report.to_dict()["checkpoint"]["format"] == "gguf"


def test_gguf_beside_a_config_is_compared_by_total() -> None:
    golden = _golden("gguf_llama")
    report = paramcalc.summary(DATA / "gguf_llama")
    crosscheck = report.crosscheck  # type: ignore[attr-defined]
    assert crosscheck.match
    assert not crosscheck.by_name
    assert crosscheck.expected == golden["config_parameters"] == report.total
    assert [row.name for row in report.layers] == ["token_embd", "blk.0-1", "output_norm"]
    assert report.name == "tiny-llama"


def test_mismatched_checkpoint_lists_the_differing_tensors() -> None:
    report = paramcalc.summary(DATA / "llama_mismatch")
    crosscheck = report.crosscheck  # type: ignore[attr-defined]
    assert not crosscheck.match
    statuses = {d.tensor: d.status for d in crosscheck.differences}
    assert statuses["lm_head.weight"] == "unexpected"  # the config ties it: an untied head in the file
    assert statuses["model.layers.0.self_attn.rotary_emb.inv_freq"] == "unexpected"  # an old buffer
    missing = sorted(name for name, status in statuses.items() if status == "missing")
    assert all(name.startswith("model.layers.3.") for name in missing)  # a missing layer
    assert len(missing) == 9
    doc = report.to_dict()["crosscheck"]
    assert doc["match"] is False
    assert doc["stored"] - doc["expected"] == sum(d["delta"] for d in doc["differences"])


def test_extra_layer_and_resized_vocabulary_are_listed_as_transformers_names_them() -> None:
    golden = _golden("llama_extra_layer")
    crosscheck = paramcalc.summary(DATA / "llama_extra_layer").crosscheck  # type: ignore[attr-defined]
    by_status: dict[str, list[str]] = {"missing": [], "unexpected": [], "shape": []}
    for difference in crosscheck.differences:
        by_status[difference.status].append(difference.tensor)
    assert {status: sorted(names) for status, names in by_status.items()} == {
        status: golden[status] for status in by_status
    }
    assert (crosscheck.expected, crosscheck.stored) == (golden["config_parameters"], golden["stored_parameters"])
    assert crosscheck.lines()[1] == (
        "11 tensors differ: model.embed_tokens.weight stored (72, 16), config (64, 16);"
        " lm_head.weight stored (72, 16), config (64, 16);"
        " model.layers.3: 9 tensors not in the config's model (1,952 params)"
    )


def test_mismatch_line_names_the_untied_head_the_old_buffer_and_the_missing_layer() -> None:
    crosscheck = paramcalc.summary(DATA / "llama_mismatch").crosscheck  # type: ignore[attr-defined]
    verdict, differences = crosscheck.lines()
    assert verdict.endswith(
        "(LlamaForCausalLM) derives 8,848 parameters: the checkpoint does NOT match (7,922 stored, -926)"
    )
    assert differences == (
        "11 tensors differ: lm_head.weight (64, 16) stored, but the config ties it to model.embed_tokens.weight;"
        " model.layers.0.self_attn.rotary_emb.inv_freq (2,) not in the config's model;"
        " model.layers.3: 9 tensors missing (1,952 params)"
    )
    doc = paramcalc.summary(DATA / "llama_mismatch").to_dict()["crosscheck"]
    head = next(d for d in doc["differences"] if d["tensor"] == "lm_head.weight")
    assert head["tied_to"] == "model.embed_tokens.weight"


def test_differences_of_several_blocks_fold_into_ranges() -> None:
    differences = [
        Difference(f"model.layers.{i}.{w}", "missing", (2, 2), None) for i in (3, 4, 5, 7) for w in ("a.w", "b.w")
    ]
    differences.append(Difference("model.layers.9.a.w", "missing", (2, 2), None))
    differences += [Difference(f"extra.{w}", "unexpected", None, (3,)) for w in ("x", "y")]
    assert folded(tuple(differences)) == [
        "model.layers.{3-5,7}: 8 tensors missing (32 params)",
        "model.layers.9.a.w missing (2, 2)",
        "extra: 2 tensors not in the config's model (6 params)",
    ]


def test_explicit_config_overrides_the_one_beside(run_cli: RunCli) -> None:
    weights = DATA / "llama_tiny" / "model.safetensors"
    result = run_cli(
        "summary", str(weights), "--config", str(DATA / "llama_mismatch" / "config.json"), "--format", "json"
    )
    assert result.code == 0, result.err
    assert json.loads(result.out)["crosscheck"]["match"] is False


def test_api_config_cross_checks_a_checkpoint_as_the_flag_does() -> None:
    weights = DATA / "llama_tiny" / "model.safetensors"
    report = paramcalc.summary(weights, config=DATA / "llama_mismatch" / "config.json")
    assert report.crosscheck is not None  # type: ignore[attr-defined]
    assert not report.crosscheck.match  # type: ignore[attr-defined]
    with pytest.raises(paramcalc.ParamcalcError, match="config= cross-checks a checkpoint"):
        paramcalc.summary(SPECS / "lstm.yaml", config=DATA / "llama_tiny" / "config.json")


def test_summary_table_shows_stored_dtype_and_bytes(run_cli: RunCli) -> None:
    result = run_cli("summary", str(DATA / "llama_tiny"))
    assert result.code == 0, result.err
    assert "┃ Stored as" in result.out
    assert "model.layers.0-2 (LlamaDecoderLayer × 3)" in result.out
    assert "F32: 22.88 KB" in result.out
    assert "matches the checkpoint exactly, tensor for tensor" in result.out


def test_check_passes_a_matching_checkpoint_and_fails_a_mismatched_one(run_cli: RunCli) -> None:
    ok = run_cli("check", str(DATA / "llama_tiny"))
    assert ok.code == 0, ok.out + ok.err
    assert "ok: matches" in ok.out
    bad = run_cli("check", str(DATA / "llama_tiny"), str(DATA / "llama_mismatch"))
    assert bad.code == 1
    assert f"{DATA / 'llama_mismatch'}: does not match its config:" in bad.out
    assert "1 within budget, 1 not matching its config" in bad.out
    doc = json.loads(run_cli("check", str(DATA / "llama_mismatch"), "--format", "json").out)
    assert doc["counts"]["mismatch"] == 1
    assert doc["results"][0]["violations"][0]["limit_name"] == "config"
    github = run_cli("check", str(DATA / "llama_mismatch"), "--format", "github")
    assert "title=Checkpoint does not match its config" in github.out


def test_check_holds_a_checkpoint_against_budget_flags(run_cli: RunCli, tmp_path: Path) -> None:
    weights = tmp_path / "model.safetensors"
    weights.write_bytes((DATA / "llama_tiny" / "model.safetensors").read_bytes())
    assert run_cli("check", str(weights)).code == 2  # no config, no budget: nothing checked
    over = run_cli("check", str(weights), "--max-params", "7919")
    assert over.code == 1
    assert "7,920 params exceed --max-params 7,919 by 1" in over.out
    assert run_cli("check", str(weights), "--max-bytes", "31680").code == 0
    assert run_cli("check", str(weights), "--max-bytes", "31679").code == 1


def test_diff_and_memory_read_checkpoints(run_cli: RunCli) -> None:
    diff = run_cli("diff", str(DATA / "llama_tiny"), str(DATA / "llama_tied"), "--format", "json")
    assert diff.code == 0, diff.err
    assert json.loads(diff.out)["delta"]["total"] == -1024
    memory = run_cli("memory", str(DATA / "llama_tiny"), "--format", "json")
    assert memory.code == 0, memory.err
    assert json.loads(memory.out)["total"] == 7920


def test_solve_refuses_a_checkpoint(run_cli: RunCli) -> None:
    result = run_cli("solve", str(DATA / "llama_tiny"), "--max-params", "1M")
    assert result.code == 2
    assert "a checkpoint holds tensors, not layers" in result.err


def test_a_directory_without_weights_is_a_clean_error(run_cli: RunCli) -> None:
    result = run_cli("summary", str(SPECS))
    assert result.code == 2
    assert "is a directory, not a spec file, and holds no .safetensors" in result.err


def test_only_the_header_is_read_of_a_huge_sparse_checkpoint(tmp_path: Path) -> None:
    """A 40 GB checkpoint (a sparse file) is summarised from its header alone, at once."""
    names = [f"model.layers.{i}.mlp.up_proj.weight" for i in range(10)]
    each = 4 * 1_000_000_000
    header: dict[str, Any] = {"__metadata__": {"format": "pt"}}
    for i, name in enumerate(names):
        header[name] = {"dtype": "F32", "shape": [1_000_000, 1000], "data_offsets": [i * each, (i + 1) * each]}
    raw = json.dumps(header).encode()
    path = tmp_path / "model.safetensors"
    with open(path, "wb") as handle:
        handle.write(len(raw).to_bytes(8, "little") + raw)
        handle.truncate(8 + len(raw) + 10 * each)
    report = paramcalc.summary(path)
    assert report.total == 10_000_000_000
    assert report.bytes == 40_000_000_000
    assert [(row.name, row.repeat) for row in report.layers] == [("model.layers.0-9", 10)]


@pytest.mark.parametrize("target", ["llama_sharded", "gguf_llama"])
def test_checkpoint_json_path_never_imports_rich(target: str) -> None:
    import subprocess
    import sys

    probe = (
        "import contextlib, io, sys\nfrom paramcalc.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = main(['summary', {str(DATA / target)!r}, '--format', 'json'])\n"
        "print(code, 'rich' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    assert proc.stdout.split() == ["0", "False"]


def _readme_console_blocks(*titles: str) -> list[tuple[str, str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = []
    for title in titles:
        start = readme.index(f"\n## {title}")
        section = readme[start : readme.index("\n## ", start + 10)]
        for block in section.split("```console\n")[1:]:
            command, _, output = block[: block.index("```")].partition("\n")
            blocks.append((command.removeprefix("$ paramcalc "), output))
    return blocks


@pytest.mark.parametrize(
    ("command", "output"), _readme_console_blocks("Real checkpoints, header only", "Where the parameters go")
)
def test_readme_checkpoint_and_breakdown_examples_are_current(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, command: str, output: str
) -> None:
    monkeypatch.chdir(ROOT)
    result = run_cli(*command.split())
    assert result.code in (0, 1), result.err
    assert [line.rstrip() for line in result.out.splitlines()] == [line.rstrip() for line in output.splitlines()]


def _gguf_with_array(path: Path, item_type: int, items: int, data: int = 0, *, kv: int = 1) -> Path:
    """A GGUF v3 header: ``kv`` arrays of ``items`` (zero bytes follow: empty strings), one F32 tensor."""
    import struct

    head = b"GGUF" + struct.pack("<IQQ", 3, 1, kv)
    for i in range(kv):
        key = f"tokenizer.ggml.tokens{i}".encode()
        head += struct.pack("<Q", len(key)) + key + struct.pack("<IIQ", 9, item_type, items)
        head += bytes(data)
    head += struct.pack("<Q", 1) + b"w" + struct.pack("<IQIQ", 1, 8, 0, 0)
    with open(path, "wb") as handle:
        handle.write(head + bytes(-len(head) % 32) + bytes(32))
    return path


def test_a_gguf_vocabulary_of_strings_is_skipped_fast(tmp_path: Path) -> None:
    """Two arrays of 400,000 strings (more than any real vocabulary and its merges) are walked, not kept."""
    import time

    path = _gguf_with_array(tmp_path / "vocab.gguf", 8, 400_000, data=400_000 * 8, kv=2)
    start = time.perf_counter()
    (tensor,) = load_checkpoint(str(path)).tensors
    assert time.perf_counter() - start < 2.0
    assert (tensor.name, tensor.shape, tensor.nbytes) == ("w", (8,), 32)


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (3_000_000, "array 'tokenizer.ggml.tokens0' brings the metadata to more than 1,000,000 strings and arrays"),
        (1 << 40, "array 'tokenizer.ggml.tokens0' claims 1,099,511,627,776 items, more than the file holds"),
    ],
)
def test_a_gguf_claiming_millions_of_strings_is_refused_at_once(tmp_path: Path, items: int, message: str) -> None:
    path = tmp_path / "many.gguf"
    _gguf_with_array(path, 8, items)
    with open(path, "r+b") as handle:  # a sparse file big enough for the claim to fit
        handle.truncate(path.stat().st_size + min(items, 4_000_000) * 8)
    with pytest.raises(paramcalc.ParamcalcError, match=message):
        load_checkpoint(str(path))


def test_a_gguf_claiming_more_metadata_entries_than_a_real_file_is_refused(tmp_path: Path) -> None:
    import struct

    path = tmp_path / "entries.gguf"
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 0, 200_000))
    with open(path, "r+b") as handle:
        handle.truncate(200_000 * 16)
    with pytest.raises(paramcalc.ParamcalcError, match=r"the file lists 200,000 metadata entries, more than 100,000"):
        load_checkpoint(str(path))


def _sharded_copy(tmp_path: Path, edit: Any) -> Path:
    for path in (DATA / "llama_sharded").iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    index = tmp_path / "model.safetensors.index.json"
    text = edit(json.loads(index.read_text()))
    index.write_text(text if isinstance(text, str) else json.dumps(text))
    return index


def _moved(doc: dict[str, Any]) -> dict[str, Any]:
    doc["weight_map"]["lm_head.weight"] = doc["weight_map"]["model.embed_tokens.weight"]
    return doc


def _unlisted(doc: dict[str, Any]) -> dict[str, Any]:
    del doc["weight_map"]["model.norm.weight"]
    return doc


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_moved, "tensor 'lm_head.weight' is listed in shard 'model-00001-of-00005.safetensors' but not stored in it"),
        (_unlisted, "stores tensor 'model.norm.weight' that the index does not list"),
        (lambda doc: {"metadata": doc["metadata"]}, "the index has no 'weight_map' of tensor names to shard files"),
        (lambda doc: '{"weight_map": {"a": "x.safetensors"}, "weight_map": {}}', "the index names 'weight_map' twice"),
        (lambda doc: {**doc, "metadata": {"total_size": "12 GB"}}, "metadata 'total_size' must be a non-negative"),
        (lambda doc: {**doc, "metadata": {"total_parameters": -1}}, "metadata 'total_parameters' must be a non-neg"),
        (lambda doc: {**doc, "metadata": ["total_size"]}, "the index's 'metadata' must be a mapping"),
        (lambda doc: "[1]", "the index is not a JSON object"),
    ],
)
def test_a_broken_sharded_index_is_one_line_exit_2(run_cli: RunCli, tmp_path: Path, edit: Any, message: str) -> None:
    index = _sharded_copy(tmp_path, edit)
    for argument in (index, tmp_path):
        result = run_cli("summary", str(argument))
        assert result.code == 2, result.out
        assert result.out == ""
        assert result.err.count("\n") == 1
        assert result.err.startswith(f"paramcalc: error: {index}: ")
        assert message in result.err


SAVED = json.loads((GOLD / "save_pretrained.json").read_text(encoding="utf-8"))["cases"]


def _rebuild(folder: Path, case: dict[str, Any]) -> Path:
    """The saved checkpoint again, each file its real header and sparse zeros for the data."""
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(case["config"]), encoding="utf-8")
    for name, header in case["files"].items():
        raw = json.dumps(header).encode()
        data = max((info["data_offsets"][1] for key, info in header.items() if key != "__metadata__"), default=0)
        with open(folder / name, "wb") as handle:
            handle.write(len(raw).to_bytes(8, "little") + raw)
            handle.truncate(8 + len(raw) + data)
    if case["index"] is not None:
        (folder / "model.safetensors.index.json").write_text(json.dumps(case["index"]), encoding="utf-8")
    return folder


@pytest.mark.parametrize("model_class", sorted(SAVED))
def test_what_save_pretrained_stores_matches_its_config(model_class: str, tmp_path: Path) -> None:
    """Every class paramcalc counts, saved by transformers 5: hub names, per-expert layouts, buffers."""
    case = SAVED[model_class]
    report = paramcalc.summary(_rebuild(tmp_path / model_class, case))
    crosscheck = report.crosscheck  # type: ignore[attr-defined]
    assert crosscheck.match, crosscheck.lines()
    assert crosscheck.expected == case["parameters"]
    stored = sum(
        prod(info["shape"])
        for header in case["files"].values()
        for key, info in header.items()
        if key != "__metadata__"
    )
    assert report.total == stored == crosscheck.stored + crosscheck.buffers


def test_save_pretrained_layouts_are_told_apart_in_the_verdict() -> None:
    """Which corpus classes needed which allowance: the ones transformers saves its own way."""
    hows: dict[str, list[str]] = {}
    for model_class in (
        "ViTForImageClassification",
        "MixtralForCausalLM",
        "BartForConditionalGeneration",
        "MarianMTModel",
    ):
        with tempfile.TemporaryDirectory() as tmp:
            crosscheck = paramcalc.summary(_rebuild(Path(tmp) / "m", SAVED[model_class])).crosscheck  # type: ignore[attr-defined]
            hows[model_class] = [
                crosscheck.renamed > 0,
                crosscheck.regrouped > 0,
                crosscheck.buffers > 0,
                crosscheck.unsaved > 0,
            ]
    assert hows == {
        "ViTForImageClassification": [True, False, False, False],
        "MixtralForCausalLM": [True, True, False, False],
        "BartForConditionalGeneration": [False, False, True, False],
        "MarianMTModel": [False, False, True, True],
    }


def test_a_misnumbered_block_is_never_a_renaming() -> None:
    expected = {f"model.layers.{i}.mlp.up_proj.weight": (4, 2) for i in range(4)}
    stored = {f"model.layers.{i}.mlp.up_proj.weight": (4, 2) for i in (0, 1, 2, 4)}
    differences, renamed, regrouped = compare(expected, stored, {})
    assert [(d.tensor, d.status) for d in differences] == [
        ("model.layers.4.mlp.up_proj.weight", "unexpected"),
        ("model.layers.3.mlp.up_proj.weight", "missing"),
    ]
    assert (renamed, regrouped) == (0, 0)


def test_a_tied_pair_stored_under_the_other_name_is_no_difference() -> None:
    expected = {"lm_head.decoder.weight": (40, 8)}
    stored = {"roberta.embeddings.word_embeddings.weight": (40, 8)}
    tied = {"roberta.embeddings.word_embeddings.weight": "lm_head.decoder.weight"}
    assert compare(expected, stored, tied) == ((), 0, 0)


CK = "tests/data/checkpoints"
SNAPSHOT_RUNS = {
    "safetensors_table": ["summary", f"{CK}/llama_tiny"],
    "safetensors_markdown": ["summary", f"{CK}/llama_sharded", "--format", "markdown"],
    "safetensors_json": ["summary", f"{CK}/llama_mismatch", "--format", "json"],
    "dtypes_table": ["summary", f"{CK}/all_dtypes.safetensors"],
    "gguf_table": ["summary", f"{CK}/gguf_llama"],
    "gguf_json": ["summary", f"{CK}/all_types.gguf", "--format", "json"],
    "check_text": ["check", f"{CK}/llama_tiny", f"{CK}/llama_mismatch", f"{CK}/llama_extra_layer"],
    "check_json": ["check", f"{CK}/llama_mismatch", "--format", "json"],
    "check_github": ["check", f"{CK}/llama_mismatch", f"{CK}/gguf_llama", "--format", "github"],
    "by_module_checkpoint": ["summary", f"{CK}/gguf_llama", "--by", "module"],
    "percent_checkpoint": ["summary", f"{CK}/llama_tiny", "--percent", "--format", "markdown"],
}


@pytest.mark.parametrize("case", list(SNAPSHOT_RUNS))
def test_checkpoint_output_is_unchanged(
    case: str, run_cli: RunCli, snapshot: Snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    snapshot.check(render_cli(run_cli, *SNAPSHOT_RUNS[case]))

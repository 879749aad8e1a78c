"""Bad recipes give one clear error naming the file and the path inside it."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from brainc.cli import main as brainc_main
from brainc.compiler import compile_ir
from brainc.errors import RecipeError

BASE = """name: t
seed: 1
populations:
  - {name: a, model: izhikevich, size: 10}
"""

# (recipe text, expected path fragment, expected message fragment)
BAD = [
    ("name: t\npopulations: [\n", "", "not valid YAML"),
    ("name: t\nbogus: 1\n", "bogus", "unknown key"),
    (BASE + "  - {name: b, model: izhikevich, size: -3}\n", "populations[1].size", "must be >= 1"),
    (BASE + "  - {name: b, model: izhikevich, size: 1e15}\n", "populations[1].size", ""),
    (BASE + "  - {name: b, model: izhikevich, size: ten}\n", "populations[1].size", ""),
    (BASE + "  - {name: b, model: nope, size: 3}\n", "populations[1].model", "unknown neuron model 'nope'"),
    (BASE + "  - {name: b, model: izhikevich, size: 3, params: {a: .nan}}\n", "populations[1].params.a", "finite"),
    (BASE + "  - {name: b, model: izhikevich, size: 3, params: {zz: 1}}\n", "populations[1].params.zz",
     "unknown parameter"),
    (BASE + "projections:\n  - {from: a, to: nowhere}\n", "projections[0].to", "unknown population or terminal"),
    (BASE + "projections:\n  - {from: a, to: a, rule: {rule: fixed_indegree, indegree: 50, allow_multapses: false}}\n",
     "projections[0].rule", "exceeds"),
    (BASE + "projections:\n  - {from: a, to: a, rule: pairwise_bernoulli}\n", "projections[0].rule", "needs parameters"),
    (BASE + "projections:\n  - {from: a, to: a, delay: 0.2}\n", "projections[0].delay", "at least one tick"),
    (BASE + "projections:\n  - {from: a, to: a, synapse: nosuch}\n", "projections[0].synapse", "unknown synapse model"),
    (BASE + "layers:\n  - {name: L, components: [{component: nosuch, count: 2}]}\n",
     "layers[0].components[0].component", "unknown component 'nosuch'"),
    (BASE + "layers:\n  - {name: L, components: [{component: '../../etc/passwd', count: 1}]}\n",
     "layers[0].components[0].component", "escapes"),
    (BASE + "layers:\n  - {name: L, components: [{component: x, count: 0}]}\n",
     "layers[0].components[0].count", "must be >= 1"),
    ("name: t\nseed: 1\ndt: .inf\n", "dt", ""),
    (BASE + "projections:\n  - {from: a, to: a, rule: all_to_all}\nmax_memory_gb: 0.000001\n", "projections",
     "GB"),
    ("name: t\npopulations:\n  - {name: a, model: izhikevich, size: 1000000}\n  - {name: b, model: izhikevich, "
     "size: 1000000}\nprojections:\n  - {from: a, to: b, rule: all_to_all}\n", "projections", "only"),
    (BASE + "devices:\n  - {name: d, model: noise_current, params: {sd: 1}, targets: [{to: a}]}\n",
     "devices[0].params.sd", "unknown parameter"),
    ("[1, 2]\n", "", "expected a mapping"),
]


def expect_recipe_error(p: Path, path: str, msg: str, exact: bool = False) -> None:
    """Compiling ``p`` fails with one line naming the file, ``path`` inside it
    (a prefix unless ``exact``) and ``msg``."""
    with pytest.raises(RecipeError) as exc:
        compile_ir(p)
    err = exc.value
    assert err.file in (str(p), str(p.resolve()))
    assert (err.path == path) if exact else err.path.startswith(path), (err.path, str(err))
    assert msg in err.message, str(err)
    assert "\n" not in str(err)


@pytest.mark.parametrize("text,path,msg", BAD)
def test_bad_recipe_names_file_and_path(write, text: str, path: str, msg: str) -> None:
    expect_recipe_error(write(text), path, msg)


def test_include_cycle(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("name: a\ninclude: [b.yaml]\n")
    (tmp_path / "b.yaml").write_text("name: b\ninclude: [a.yaml]\n")
    with pytest.raises(RecipeError, match="include cycle"):
        compile_ir(tmp_path / "a.yaml")


@pytest.mark.parametrize("frag,path,msg", [
    # validation (pydantic): the second population of the fragment
    ("populations:\n  - {name: f0, model: izhikevich, size: 2}\n  - {name: f1, model: izhikevich, size: -3}\n",
     "populations[1].size", "must be >= 1"),
    # build stage: an unknown model, an unknown parameter, a projection to nowhere
    ("populations:\n  - {name: f0, model: nope, size: 2}\n", "populations[0].model", "unknown neuron model"),
    ("populations:\n  - {name: f0, model: izhikevich, size: 2, params: {zz: 1}}\n", "populations[0].params.zz",
     "unknown parameter"),
    ("projections:\n  - {from: a, to: ghost, rule: all_to_all}\n", "projections[0]", "ghost"),
])
def test_errors_in_included_fragments_name_the_fragment(tmp_path: Path, frag: str, path: str, msg: str) -> None:
    """The fragment's file and its own index, not the merged recipe's: the top
    recipe's entries come after the fragment's in the merged lists."""
    sub = tmp_path / "parts"
    sub.mkdir()
    (sub / "frag.yaml").write_text(frag)
    top = tmp_path / "top.yaml"
    top.write_text("name: t\nseed: 1\ninclude: [parts/frag.yaml]\npopulations:\n"
                   "  - {name: a, model: izhikevich, size: 3}\n  - {name: b, model: izhikevich, size: 3}\n")
    with pytest.raises(RecipeError) as exc:
        compile_ir(top)
    err = exc.value
    assert err.file.startswith(str((sub / "frag.yaml").resolve())) and "included by top.yaml" in err.file, str(err)
    assert err.path.startswith(path) and msg in err.message, str(err)
    # the same entry written in the top recipe itself is named there
    top.write_text("name: t\nseed: 1\n" + frag.replace("f0", "a"))
    with pytest.raises(RecipeError) as exc:
        compile_ir(top)
    assert exc.value.file == str(top.resolve())


@pytest.mark.parametrize("bad,path", [("size: -3", "populations[0].size"),
                                      ("size: 3, params: {zz: 1}", "populations[0].params.zz")])
def test_top_recipe_entries_after_included_ones_keep_their_own_index(tmp_path: Path, bad: str, path: str) -> None:
    """Included entries come first in the merged lists; an error in the top
    recipe's own first population still says populations[0]."""
    (tmp_path / "frag.yaml").write_text("populations:\n  - {name: f0, model: izhikevich, size: 2}\n"
                                        "  - {name: f1, model: izhikevich, size: 2}\n")
    top = tmp_path / "top.yaml"
    top.write_text(f"name: t\nseed: 1\ninclude: [frag.yaml]\npopulations:\n  - {{name: a, model: izhikevich, {bad}}}\n")
    with pytest.raises(RecipeError) as exc:
        compile_ir(top)
    assert exc.value.file == str(top.resolve()) and exc.value.path == path, str(exc.value)


def test_fragment_errors_follow_the_merge_through_nested_includes(tmp_path: Path) -> None:
    """Origins are merged exactly as the recipe is: an empty list key in a
    nested fragment does not shift the indexes of the entries around it."""
    (tmp_path / "x.yaml").write_text("populations: [{name: bad, model: izhikevich, size: -3}]\n")
    (tmp_path / "z.yaml").write_text("populations:\n")
    (tmp_path / "y.yaml").write_text("include: [z.yaml]\npopulations: [{name: good, model: izhikevich, size: 3}]\n")
    top = tmp_path / "top.yaml"
    top.write_text("name: t\nseed: 1\ninclude: [x.yaml, y.yaml]\n")
    with pytest.raises(RecipeError) as exc:
        compile_ir(top)
    assert exc.value.file.startswith(str(tmp_path / "x.yaml")) and exc.value.path == "populations[0].size"


def test_inline_component_errors_are_named_under_components(tmp_path: Path) -> None:
    """An inline component's error is at ``components.NAME...`` of the file that
    defined it, never blamed on a fragment's recipe-level key of the same name."""
    (tmp_path / "frag.yaml").write_text("terminals: {out: L1.col.n}\n")
    top = tmp_path / "top.yaml"
    top.write_text("name: t\nseed: 1\ninclude: [frag.yaml]\ncomponents:\n  col:\n    component: col\n"
                   "    neurons: [{name: n, type: RS, count: 2}]\n    terminals: {out: [ghost]}\n"
                   "layers:\n  - {name: L1, components: [{component: col}]}\n")
    with pytest.raises(RecipeError) as exc:
        compile_ir(top)
    assert exc.value.file == str(top.resolve()), str(exc.value)
    assert exc.value.path == "components.col.terminals.out[0]" and "ghost" in exc.value.message
    # defined in a fragment: named there
    (tmp_path / "frag.yaml").write_text("components:\n  col:\n    component: col\n"
                                        "    neurons: [{name: n, type: RS, count: 2}]\n    terminals: {out: [ghost]}\n")
    top.write_text("name: t\nseed: 1\ninclude: [frag.yaml]\nlayers:\n  - {name: L1, components: [{component: col}]}\n")
    with pytest.raises(RecipeError) as exc:
        compile_ir(top)
    assert exc.value.file.startswith(str(tmp_path / "frag.yaml"))
    assert exc.value.path == "components.col.terminals.out[0]"


def test_component_include_cycle(tmp_path: Path) -> None:
    (tmp_path / "ca.yaml").write_text("component: ca\nneurons: [{name: n}]\nsubcomponents: [{name: s, component: cb}]\n")
    (tmp_path / "cb.yaml").write_text("component: cb\nneurons: [{name: n}]\nsubcomponents: [{name: s, component: ca}]\n")
    (tmp_path / "r.yaml").write_text("name: r\nlayers:\n  - {name: L, components: [{component: ca}]}\n")
    with pytest.raises(RecipeError, match="cycle"):
        compile_ir(tmp_path / "r.yaml")


def test_component_file_errors_name_the_component_file(tmp_path: Path) -> None:
    (tmp_path / "cx.yaml").write_text("component: cx\nneurons: [{name: n, type: RS, count: 0}]\n")
    (tmp_path / "r.yaml").write_text("name: r\nlayers:\n  - {name: L, components: [{component: cx}]}\n")
    with pytest.raises(RecipeError) as exc:
        compile_ir(tmp_path / "r.yaml")
    assert exc.value.file.endswith("cx.yaml")
    assert exc.value.path == "neurons[0].count"


def test_cli_error_is_one_line_and_leaves_nothing(write, tmp_path: Path) -> None:
    p = write(BASE + "  - {name: b, model: izhikevich, size: -3}\n")
    out = tmp_path / "out" / "x.db"
    res = CliRunner().invoke(brainc_main, ["compile", str(p), "-o", str(out)])
    assert res.exit_code == 1
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "populations[1].size" in lines[0]
    assert "Traceback" not in res.output
    assert not out.exists()
    assert not list(tmp_path.glob("out/*"))

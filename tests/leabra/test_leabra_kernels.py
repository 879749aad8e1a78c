"""Behaviour of the leabra / xcal kernels beyond the published reference values:
inhibition variants, spikes, adaptation, clamping, decay, sending thresholds,
projection paths, net-input scaling, weight symmetry and XCAL learning.

Runs through the API (brainc.leabra.Net on runtime.Network) and, for the
runtime without the API, on a database compiled from a recipe.
"""
from __future__ import annotations

import numpy as np
import pytest

import brainc.leabra as lb
from runtime.models import leabra as lu
from runtime.models.leabra import LeabraUnit
from runtime.synapses import xcal as xc
from runtime.synapses.xcal import XCAL, propagate, row_flags, sig_inv_wt, sig_wt, slay_act_scale


def act(net, layer):
    return np.asarray(net.observe(layer, "unit_act")["act"], dtype=float)


def test_row_constants_match_declarations():
    # the kernels index rows through module constants; they must follow the dicts
    for prefix, table in (("P_", LeabraUnit.params), ("S_", LeabraUnit.state),
                          ("G_", LeabraUnit.group_params), ("L_", LeabraUnit.group_state)):
        for i, name in enumerate(table):
            const = prefix + name.upper()
            if hasattr(lu, const):
                assert getattr(lu, const) == i, const
    for i, name in enumerate(XCAL.params):
        assert getattr(xc, "P_" + name.upper()) == i
    for i, name in enumerate(XCAL.state):
        assert getattr(xc, "S_" + name.upper()) == i


def _driven_layer(n=20, seed=3, **layer_kw):
    """A random input layer (10 of 40 on) fully projecting to a layer of n units."""
    net = lb.Net(seed=seed)
    net.new_layer("in", 40)
    net.new_layer("out", n, lb.LayerSpec(**layer_kw))
    net.new_projn("p", "in", "out", lb.ProjnSpec(dist=lb.Uniform(0.1, 0.9)))
    x = np.zeros(40)
    x[np.random.default_rng(seed).choice(40, 10, replace=False)] = 1
    net.clamp_layer("in", x)
    return net


@pytest.mark.parametrize("pct", [0.1, 0.25])
def test_kwta_activates_k_units(pct):
    net = _driven_layer(inhibition_type="kwta", kwta_pct=pct, kwta_pt=0.25)
    net.cycle(60)
    a = act(net, "out")
    k = int(np.floor(pct * 20 + 0.5))
    assert np.sum(a > 0.2) == k
    srt = np.sort(a)[::-1]
    assert srt[k - 1] > 2 * srt[k]  # a clear gap between the k winners and the rest


def test_kwta_avg_is_roughly_k():
    net = _driven_layer(inhibition_type="kwta_avg", kwta_pct=0.25, kwta_pt=0.6)
    net.cycle(60)
    n_on = np.sum(act(net, "out") > 0.2)
    assert 2 <= n_on <= 8


def test_fffb_gain_controls_sparseness():
    counts = []
    for gi in (1.2, 1.8, 2.6):
        net = _driven_layer(gi=gi)
        net.cycle(60)
        counts.append(float(np.sum(act(net, "out"))))
    assert counts[0] > counts[1] > counts[2] > 0


def test_no_inhibition_layer():
    net = _driven_layer(inhibition_type="none")
    net.cycle(40)
    assert np.all(np.asarray(net.observe("out", "unit_gc_i")["gc_i"]) == 0)
    assert np.mean(act(net, "out")) > 0.5


def _single(us: lb.UnitSpec, inp: float = 0.95, w: float = 0.8, cycles: int = 200, log=("unit_act",)):
    net = lb.Net()
    net.new_layer("in", 1)
    net.new_layer("u", 1, lb.LayerSpec(inhibition_type="none", unit_spec=us, log_on_cycle=log))
    net.new_projn("p", "in", "u", lb.ProjnSpec(dist=lb.Scalar(w)))
    net.clamp_layer("in", [inp])
    net.cycle(cycles)
    return net


def test_spike_mode_spikes_and_rate():
    net = _single(lb.UnitSpec(act_fun="spike"), w=0.07, log=("unit_spike", "unit_act", "unit_v_m"))
    parts = net.logs("cycle", "u").parts
    spikes = np.asarray(parts["spike"])
    assert spikes.sum() >= 5
    # act is the running spike-rate estimate: eq_gain * average of spikes (eq_dt = 0.02)
    isi = np.diff(np.nonzero(spikes)[0])
    rate = 1.0 / isi[-3:].mean()
    assert abs(np.asarray(parts["act"])[-1] - min(8.0 * rate, 1.0)) < 0.2
    # vm resets to v_m_r after each spike
    vm = np.asarray(parts["v_m"])
    assert np.allclose(vm[spikes == 1], 0.3)
    # a refractory period lengthens the inter-spike intervals
    net_r = _single(lb.UnitSpec(act_fun="spike", t_r=6), w=0.07, log=("unit_spike",))
    s_r = np.asarray(net_r.logs("cycle", "u").parts["spike"])
    assert np.diff(np.nonzero(s_r)[0]).min() > 6
    assert s_r.sum() < spikes.sum()


def test_spike_rate_grows_with_input():
    n = [np.asarray(_single(lb.UnitSpec(act_fun="spike"), w=w, log=("unit_spike",))
                    .logs("cycle", "u").parts["spike"]).sum() for w in (0.06, 0.12)]
    assert n[1] > n[0] > 0


def test_adaptation_reduces_activity():
    base = _single(lb.UnitSpec(), w=0.7)
    ad = _single(lb.UnitSpec(adapt_dt=1 / 144, vm_gain=0.04, spike_gain=0.00805), w=0.7)
    a0 = np.asarray(base.logs("cycle", "u").parts["act"])
    a1 = np.asarray(ad.logs("cycle", "u").parts["act"])
    assert abs(a0[-1] - a0[60]) < 1e-3          # no adaptation: steady
    assert a1[-1] < a1[60] - 0.005              # adaptation: activity decays
    assert float(ad.observe("u", "unit_adapt")["adapt"][0]) > 0
    # the learning activation ignores adaptation (emergent ActLrn)
    assert float(ad.observe("u", "unit_act_lrn")["act_lrn"][0]) > a1[-1]


def test_nxx1_conv_mode_is_close_to_default():
    a = np.asarray(_single(lb.UnitSpec(), w=0.7).logs("cycle", "u").parts["act"])
    b = np.asarray(_single(lb.UnitSpec(act_fun="nxx1_conv"), w=0.7).logs("cycle", "u").parts["act"])
    assert abs(a[-1] - b[-1]) < 0.02


def test_hard_and_soft_clamp():
    net = lb.Net()
    net.new_layer("h", 3, lb.LayerSpec(inhibition_type="none"))
    net.new_layer("s", 3, lb.LayerSpec(inhibition_type="none", unit_spec=lb.UnitSpec(clamp_hard=False, clamp_gain=0.5)))
    net.clamp_layer("h", [0.0, 0.5, 1.0])
    net.clamp_layer("s", [0.0, 0.5, 1.0])
    net.cycle(50)
    assert np.allclose(act(net, "h"), [0.0, 0.5, 0.95])  # clamp range max 0.95
    ge = np.asarray(net.observe("s", "unit_net")["net"])
    assert np.allclose(ge, [0.0, 0.25, 0.5], atol=1e-6)  # soft: ge_raw = clamp_gain * ext
    a = act(net, "s")
    assert a[0] < 1e-6 < a[1] < a[2]
    net.unclamp_layer("h")
    net.cycle(60)
    assert np.all(act(net, "h") < 0.05)  # free units decay without input


@pytest.mark.parametrize("decay", [0.0, 1.0])
def test_decay_between_trials(decay):
    net = lb.Net()
    us = lb.UnitSpec(decay=decay)
    net.new_layer("in", 4, lb.LayerSpec(unit_spec=us))
    net.new_layer("out", 4, lb.LayerSpec(unit_spec=us))
    net.new_projn("p", "in", "out", lb.ProjnSpec(projn_type="one_to_one", dist=lb.Scalar(0.9)))
    net.clamp_layer("in", [1, 0, 0, 0])
    net.minus_phase_cycle(50)
    before = act(net, "out")[0]
    net.unclamp_layer("in")
    net.end_trial()
    net.minus_phase_cycle(0)  # opens the next trial (trial_init) without cycling
    after = act(net, "out")[0]
    assert before > 0.5
    if decay == 1.0:
        assert after == 0.0
    else:
        assert after == before


def test_send_thresholds():
    P = np.array([[v.default] for v in LeabraUnit.params.values()]).repeat(3, axis=1)
    S = LeabraUnit.init_state(P, 0)
    S[lu.S_ACT] = [0.05, 0.5, 0.5]
    S[lu.S_ACT_SENT] = [0.0, 0.0, 0.498]
    G = np.array([[v.default for v in LeabraUnit.group_params.values()]])
    L = LeabraUnit.init_group_state(G)
    out = np.zeros(3)
    fired = np.zeros(3, dtype=np.int64)
    mods = np.zeros(lu.N_MODS)
    mods[lu.M_TRIAL_START] = 1.0  # send-only tick: acts unchanged
    nf = lu.update(P, S, np.zeros((2, 3)), out, fired, np.array([0, 3]), G, L, 0, 1.0, mods, np.zeros(2, np.uint64))
    # below send_thr: nothing; large change: resent; change < delta_thr: old value kept
    assert list(out) == [0.0, 0.5, 0.498]
    assert nf == 2 and list(fired[:2]) == [1, 2]


def _syn_group(indptr, post, w, gscale, proj):
    n = len(w)
    Pc = np.array([v.default for v in XCAL.params.values()])
    P = np.ascontiguousarray(np.broadcast_to(Pc[:, None], (len(Pc), n)))
    S = XCAL.init_state(np.asarray(w, float), P)
    S[xc.S_GSCALE] = gscale
    ip, pi = np.asarray(indptr, np.int64), np.asarray(post, np.int32)
    X = row_flags(ip, pi, np.asarray(proj, np.int32), P)
    return ip, pi, np.ones(n, np.int32), np.asarray(w, float), S, P, X


def test_propagate_paths_agree():
    # row 0: one projection, contiguous targets; row 1: one projection,
    # scattered; row 2: three projections whose first and last scales agree
    # (the middle one's must still be read); row 3: two projections with
    # contiguous targets (flags must not take the single-scale path)
    indptr = [0, 3, 6, 9, 12]
    post = [2, 3, 4, 0, 3, 5, 1, 2, 3, 0, 1, 2]
    proj = [0, 0, 0, 1, 1, 1, 2, 3, 4, 5, 5, 6]
    w = np.linspace(0.1, 0.9, 12)
    gs = np.array([0.5, 0.5, 0.5, 2.0, 2.0, 2.0, 1.0, 3.0, 1.0, 0.7, 0.7, 0.2])
    ip, pi, dl, ww, S, P, X = _syn_group(indptr, post, w, gs, proj)
    R = xc.ROW_ONE_PROJ
    assert [int(x) & R for x in X] == [R, R, 0, 0]
    assert [int(x) & xc.ROW_CONTIG for x in X] == [xc.ROW_CONTIG, 0, xc.ROW_CONTIG, xc.ROW_CONTIG]
    assert all(int(x) & xc.ROW_HOMOG for x in X)
    ring = np.zeros((2, 2, 6))
    out = np.array([1.0, 0.5, 0.25, 0.8])
    fired = np.array([0, 1, 2, 3], np.int64)
    propagate(4, 1.0, fired, 4, out, ip, pi, dl, ww, S, P, X, 0, ring, np.zeros(0), np.zeros(5))
    expect = np.zeros(6)
    for i in range(4):
        for k in range(indptr[i], indptr[i + 1]):
            expect[post[k]] += gs[k] * w[k] * out[i]
    assert np.allclose(ring[1, 0], expect)  # t=4, delay 1 -> slot 5 % 2
    assert np.all(ring[0] == 0) and np.all(ring[1, 1] == 0)
    # without flags (X empty) every row reads its scales per synapse
    ring2 = np.zeros((2, 2, 6))
    propagate(4, 1.0, fired, 4, out, ip, pi, dl, ww, S, P, np.zeros(0), 0, ring2, np.zeros(0), np.zeros(5))
    assert np.allclose(ring2, ring)


def test_netin_scaling():
    # emergent SLayActScale: full -> 1 / round(savg * snu); partial connectivity adds a margin
    assert slay_act_scale(0.15, 40, 40) == pytest.approx(1 / 6)
    assert slay_act_scale(0.1, 40, 40) == pytest.approx(1 / 4)
    assert slay_act_scale(0.15, 4, 1) == 1.0           # one-to-one
    assert slay_act_scale(0.2, 100, 50) == pytest.approx(1 / 12)  # round(.2*50)=10 (+2)
    assert slay_act_scale(0.0, 10, 10) == 1.0
    # relative scales are normalized over a receiver's projections
    net = lb.Net()
    for n in ("a", "b", "c"):
        net.new_layer(n, 10)
    net.new_projn("ac", "a", "c", lb.ProjnSpec(wt_scale_rel=1.0))
    net.new_projn("bc", "b", "c", lb.ProjnSpec(wt_scale_rel=3.0, wt_scale_abs=2.0))
    net.cycle(1)
    g_ac = float(net.observe("ac", "conn_gscale")["gscale"][0])
    g_bc = float(net.observe("bc", "conn_gscale")["gscale"][0])
    sc = slay_act_scale(0.15, 10, 10)
    assert g_ac == pytest.approx(0.25 * sc) and g_bc == pytest.approx(2.0 * 0.75 * sc)


def test_weight_symmetry_and_connectivity():
    net = lb.Net(seed=5)
    for n, k in (("a", 6), ("b", 5)):
        net.new_layer(n, k)
    net.new_projn("ab", "a", "b", lb.ProjnSpec(dist=lb.Uniform(0.2, 0.8)))
    net.new_projn("ba", "b", "a", lb.ProjnSpec(dist=lb.Uniform(0.3, 0.4)))
    wab, wba = net.weights("ab"), net.weights("ba")
    assert np.allclose(wba, wab.T, atol=1e-7)  # back weights copied from the forward ones
    nosym = lb.Net(seed=5)
    for n, k in (("a", 6), ("b", 5)):
        nosym.new_layer(n, k)
    nosym.new_projn("ab", "a", "b", lb.ProjnSpec(dist=lb.Uniform(0.2, 0.8), sym=False))
    nosym.new_projn("ba", "b", "a", lb.ProjnSpec(dist=lb.Uniform(0.3, 0.4), sym=False))
    w = nosym.weights("ba")
    assert w.min() >= 0.3 and w.max() <= 0.4
    sp = lb.Net(seed=1)
    sp.new_layer("a", 100)
    sp.new_layer("b", 100)
    sp.new_projn("s", "a", "b", lb.ProjnSpec(sparsity=0.3))
    frac = np.mean(~np.isnan(sp.weights("s")))
    assert 0.27 < frac < 0.33
    o2o = lb.Net()
    o2o.new_layer("a", 3)
    o2o.new_layer("b", 5)
    o2o.new_projn("p", "a", "b", lb.ProjnSpec(projn_type="one_to_one"))
    m = ~np.isnan(o2o.weights("p"))
    assert m.sum() == 3 and all(m[i, i] for i in range(3))


def test_sigmoid_and_inverse():
    for gain, off in ((6.0, 1.0), (3.0, 1.25), (1.0, 1.0)):
        for w in (0.0, 0.05, 0.3, 0.5, 0.77, 1.0):
            assert sig_wt(sig_inv_wt(w, gain, off), gain, off) == pytest.approx(w, abs=1e-12)
    assert sig_wt(0.5, 6.0, 1.0) == 0.5
    assert sig_wt(0.6, 6.0, 1.0) > 0.6  # contrast enhancement


def _xcal_net(**pspec):
    net = lb.Net(seed=2)
    net.new_layer("in", 4)
    net.new_layer("out", 2)
    net.new_projn("p", "in", "out", lb.ProjnSpec(dist=lb.Scalar(0.5), **pspec))
    return net


def test_xcal_error_driven_direction():
    net = _xcal_net(norm=False, momentum=False, lrate=0.1)
    x = np.array([1, 1, 0, 0])
    for _ in range(5):
        net.clamp_layer("in", x)
        net.minus_phase_cycle(50)
        net.clamp_layer("out", [1, 0])
        net.plus_phase_cycle(25)
        net.unclamp_layer("out")
        net.learn()
    w = net.weights("p")
    # active senders -> unit driven on in the plus phase grow; -> unit driven off shrink
    assert w[0, 0] > 0.5 and w[1, 0] > 0.5
    assert w[0, 1] < 0.5 and w[1, 1] < 0.5
    # silent senders do not learn (lrn_thr)
    assert np.allclose(w[2:], 0.5)
    lwt = np.asarray(net.observe("p", "conn_fwt")["fwt"])
    assert np.all((lwt >= 0) & (lwt <= 1))


def test_learning_off_and_lrate_zero():
    for kw in ({"learn": False}, {"lrate": 0.0}):
        net = _xcal_net(**kw)
        net.clamp_layer("in", [1, 0, 1, 0])
        net.minus_phase_cycle(30)
        net.clamp_layer("out", [0, 1])
        net.plus_phase_cycle(20)
        net.learn()
        assert np.allclose(net.weights("p"), 0.5)


def test_trial_start_tick_discards_stale_input():
    net = lb.Net()
    net.new_layer("in", 2)
    net.new_layer("out", 2)
    net.new_projn("p", "in", "out", lb.ProjnSpec(projn_type="one_to_one", dist=lb.Scalar(0.9)))
    net.clamp_layer("in", [1, 0])
    net.minus_phase_cycle(30)
    net.unclamp_layer("in")
    net.clamp_layer("in", [0, 1])
    net.end_trial()
    net.minus_phase_cycle(1)  # start tick + first cycle of the new trial
    ge = np.asarray(net.observe("out", "unit_net_raw")["net_raw"])
    assert ge[0] == 0.0 and ge[1] > 0.0  # only the new input arrives


def test_runtime_runs_a_compiled_leabra_recipe_without_the_api(tmp_path):
    # the kernels need nothing from the API: compile the recipe, load it, drive
    # the modulators and the trial helpers on the runtime's own arrays
    import runtime
    from brainc import database as dbio
    from runtime.modulators import MOD_LEARN, MOD_PHASE, MOD_TRIAL_START

    net = _xcal_net(norm=False, momentum=False)
    db = net.compile(tmp_path / "x.db")
    rt = runtime.load(db)
    blk = rt.blocks[0]
    assert list(blk.seg) == [0, 4, 6] and len(rt.pathways) == 1
    lu.init_block(blk.P, blk.S, blk.seg, blk.G, blk.L)
    blk.S[lu.S_EXT, 0] = 1.0
    blk.S[lu.S_CLAMPED, 0] = 1.0
    lu.trial_init(blk.P, blk.S, blk.seg, blk.G, blk.L, True)
    rt.mods[MOD_PHASE] = 1
    rt.mods[MOD_TRIAL_START] = 1
    rt.run(20)
    assert rt.mods[MOD_TRIAL_START] == 0  # a pulse: cleared after the send-only tick
    assert blk.S[lu.S_ACT, 0] == pytest.approx(0.95) and rt.t == 20
    assert np.all(blk.S[lu.S_ACT, 4:] > 0)  # output driven through the xcal pathway
    blk.S[lu.S_EXT, 4] = 1.0
    blk.S[lu.S_CLAMPED, 4] = 1.0
    rt.mods[MOD_PHASE] = 2
    rt.run(10)
    lu.plus_phase_end(blk.P, blk.S, blk.seg, blk.G, blk.L)
    w0 = rt.pathways[0].w.copy()
    rt.mods[MOD_LEARN] = 1
    rt.run(1)
    rt.mods[MOD_LEARN] = 0
    dw = rt.pathways[0].w - w0
    # unit 0 -> output unit 4 (target on) grows; silent senders do not learn
    syn = {(int(a), int(b)): k for k, (a, b) in enumerate(zip(rt.pathways[0].pre_idx, rt.pathways[0].post_idx))}
    assert dw[syn[(0, 4)]] > 0 and dw[syn[(0, 5)]] < 0
    assert np.all(dw[[syn[(i, j)] for i in (1, 2, 3) for j in (4, 5)]] == 0)
    assert dbio.content_hash(db)  # a regular brain database

"""Conformance with emergent's published Leabra unit-test values.

Reference values are copied from github.com/emer/leabra (Go), whose tests state
that they were validated against C++ emergent 8.5.6 (demo/leabra/
basic_leabra_test.proj, svn 11473/11492):

* ``nxx1/nxx1_test.go``  TestXX1       NoisyXX1 activation function
* ``leabra/act_test.go`` TestActUpdt   single-unit Ge / Inet / Vm / Act
* ``leabra/learn_test.go`` TestXCal    XCAL dWt function
* ``leabra/basic_test.go`` TestNetAct, TestNetLearn, TestInhibAct
  (4-4-4 one-to-one network, Gbar.L = 0.2, weights 0.5, back projection rel 0.2)

The references are float32; we compute in float64. Every value must agree
within 1e-4 absolutely. Learning quantities are tiny (|dwt| ~ 1e-5), so they are
also checked relatively: within 5e-3, the size of float32 cancellation in
emergent's srs - srm (co-products ~0.9 whose difference is ~1e-4).
"""
from __future__ import annotations

import numpy as np
import pytest

import brainc.leabra as lb
from runtime.models import leabra as lu
from runtime.models.leabra import LeabraUnit, nxx1, nxx1_conv, update, xcal_fun
from runtime.registry import neuron_model, synapse_model

ABS_TOL = 1e-4
REL_TOL_LEARN = 5e-3


def close(got, ref, abs_tol=ABS_TOL, rel_tol=None):
    got = np.asarray(got, dtype=float)
    ref = np.asarray(ref, dtype=float)
    assert got.shape == ref.shape
    np.testing.assert_allclose(got, ref, rtol=0, atol=abs_tol)
    if rel_tol is not None:
        np.testing.assert_allclose(got, ref, rtol=rel_tol, atol=1e-12)


def test_registered():
    assert neuron_model("leabra") is LeabraUnit
    assert synapse_model("xcal").name == "xcal"


# --------------------------------------------------------------- nxx1_test.go
def test_nxx1_matches_emergent():
    tstx = [-0.05, -0.04, -0.03, -0.02, -0.01, 0, .01, .02, .03, .04, .05, .1, .2, .3, .4, .5]
    cory = [1.7735989e-14, 7.155215e-12, 2.8866178e-09, 1.1645374e-06, 0.00046864923, 0.094767615,
            0.47916666, 0.65277773, 0.742268, 0.7967479, 0.8333333, 0.90909094, 0.95238096,
            0.96774197, 0.9756098, 0.98039216]
    got = [nxx1(x) for x in tstx]
    close(got, cory, abs_tol=1e-7)


def test_nxx1_approximates_the_convolution():
    # emergent Go's closed form stands in for C++ emergent's convolution of
    # x/(x+1) with exp(-z^2/nvar^2); they differ by < 0.025 (near threshold)
    xs = np.linspace(-0.05, 0.3, 351)
    d = max(abs(nxx1(x) - nxx1_conv(x)) for x in xs)
    assert d < 0.025
    assert abs(nxx1_conv(0.5) - 0.5 * 100 / (0.5 * 100 + 1)) < 1e-6  # far from threshold: plain XX1


# ---------------------------------------------------------------- act_test.go
def _one_unit(**params):
    P = np.array([[v.default] for v in LeabraUnit.params.values()])
    for k, v in params.items():
        P[list(LeabraUnit.params).index(k)] = v
    S = LeabraUnit.init_state(P, 0)
    G = np.array([[v.default for v in LeabraUnit.group_params.values()]])
    G[0, lu.G_INHIB_TYPE] = lu.INHIB_NONE  # the Go test integrates Gi from GiRaw = 0 only
    L = LeabraUnit.init_group_state(G)
    return P, S, G, L


def test_act_update_matches_emergent():
    geinc = [.01, .02, .03, .04, .05, .1, .2, .3]
    corge = [0.007142857, 0.023469387, 0.049562685, 0.085589334, 0.13159695, 0.21617055, 0.3831916, 0.64519763]
    corinet = [-0.015714284, -0.0048542274, 0.011293108, 0.032156322, 0.056659013, 0.09967137, 0.1782439, 0.275567]
    corvm = [0.3952381, 0.39376712, 0.39718926, 0.4069336, 0.424103, 0.45430642, 0.50831974, 0.5918249]
    coract = [2.8884673e-29, 3.2081596e-29, 1.1549086e-28, 3.2309342e-26, 9.598328e-22, 7.120265e-14,
              0.29335475, 0.5022214]
    P, S, G, L = _one_unit(gbar_l=0.2)  # "was default when test was created"
    seg = np.array([0, 1])
    I = np.zeros((2, 1))
    out = np.zeros(1)
    fired = np.zeros(1, dtype=np.int64)
    mods = np.zeros(lu.N_MODS)
    rng = np.zeros(2, dtype=np.uint64)
    ge, inet, vm, act = [], [], [], []
    raw = 0.0
    for k, inc in enumerate(geinc):
        raw += inc  # GeRaw accumulates the increments: it is the delivered net input
        I[0, 0] = raw
        update(P, S, I, out, fired, seg, G, L, k, 1.0, mods, rng)
        ge.append(S[lu.S_GE, 0]); inet.append(S[lu.S_INET, 0])
        vm.append(S[lu.S_VM, 0]); act.append(S[lu.S_ACT, 0])
    close(ge, corge, abs_tol=1e-6)
    close(inet, corinet, abs_tol=1e-6)
    close(vm, corvm, abs_tol=1e-6)
    close(act, coract, abs_tol=1e-6)


# -------------------------------------------------------------- learn_test.go
def test_xcal_matches_emergent():
    sr = [.01, .02, .03, .04, .05, .1, .2, .3, .4, .5, .6, .7, .8]
    thr = [.1, .1, .1, .1, .1, .1, .2, .2, .2, .2, .2, .3, .3]
    cory = [-0.089999996, -0.08, -0.07, -0.060000002, -0.05, 0, 0, 0.10000001, 0.2, 0.3,
            0.40000004, 0.39999998, 0.5]
    close([xcal_fun(s, t) for s, t in zip(sr, thr)], cory, abs_tol=1e-6)


# -------------------------------------------------------------- basic_test.go
PATS = np.eye(4)


def _basic_net(norm=False, momentum=False, inhib=False):
    """TestMakeNet: Input, Hidden, Output (4 units), one-to-one Input->Hidden,
    Hidden->Output, Output->Hidden (Back, rel 0.2), Gbar.L 0.2, weights 0.5."""
    net = lb.Net()
    ls = lb.LayerSpec(unit_spec=lb.UnitSpec(gc_l=0.2))
    for name in ("Input", "Hidden", "Output"):
        net.new_layer(name, 4, ls)
    fw = lb.ProjnSpec(projn_type="one_to_one", dist=lb.Scalar(0.5), norm=norm, momentum=momentum)
    net.new_projn("in_hid", "Input", "Hidden", fw)
    if inhib:
        net.new_projn("in_hid_inh", "Input", "Hidden",
                      lb.ProjnSpec(projn_type="one_to_one", dist=lb.Scalar(0.5), inhibitory=True))
    net.new_projn("hid_out", "Hidden", "Output", fw)
    net.new_projn("out_hid", "Output", "Hidden",
                  lb.ProjnSpec(projn_type="one_to_one", dist=lb.Scalar(0.5), norm=norm, momentum=momentum,
                               wt_scale_rel=0.2))
    return net


def _get(net, layer, attr):
    t = net.observe(layer, "unit_" + attr)
    return np.asarray(t[attr])


def _alpha_trial(net, pi, at_quarter=None, learn=True):
    """One alpha cycle: 3 minus quarters, then Output clamped (Target) for the
    plus quarter, 25 cycles each (emergent ltime.CycPerQtr). ``at_quarter(q)``
    is called after each quarter."""
    net.clamp_layer("Input", PATS[pi])
    for q in range(3):
        net.minus_phase_cycle(25)
        if at_quarter:
            at_quarter(q)
    net.clamp_layer("Output", PATS[pi])
    net.plus_phase_cycle(25)
    if at_quarter:
        at_quarter(3)
    net.unclamp_layer("Output")


def _check_quarters(net, ref, pi):
    def at(q):
        if pi != 0 or q not in (0, 3):
            return
        for key, vals in ref[q].items():
            layer, attr = key
            close(_get(net, layer, attr), vals)
    return at


def test_net_act_matches_emergent():
    ref = {
        0: {("Hidden", "act"): [0.9427379, 2.4012093e-33, 2.4012093e-33, 2.4012093e-33],
            ("Hidden", "net"): [0.47417355, 0, 0, 0],
            ("Hidden", "gc_i"): [0.45752862] * 4,
            ("Output", "act"): [0.94144684, 2.4021936e-33, 2.4021936e-33, 2.4021936e-33],
            ("Output", "net"): [0.47107852, 0, 0, 0],
            ("Output", "gc_i"): [0.45534685] * 4},
        3: {("Hidden", "act"): [0.9431544, 4e-45, 4e-45, 4e-45],
            ("Hidden", "net"): [0.47499993, 0, 0, 0],
            ("Hidden", "gc_i"): [0.45816946] * 4,
            ("Output", "act"): [0.95, 0, 0, 0],
            ("Output", "net"): [0.47114015, 0, 0, 0],
            ("Output", "gc_i"): [0.45951304] * 4},
    }
    net = _basic_net()
    for pi in range(4):
        _alpha_trial(net, pi, _check_quarters(net, ref, pi))
        net.end_trial()  # TestNetAct does not learn


def test_inhib_act_matches_emergent():
    # TestInhibAct: an extra one-to-one *inhibitory* Input -> Hidden projection
    ref = {
        0: {("Hidden", "act"): [0.49207208, 2.4012093e-33, 2.4012093e-33, 2.4012093e-33],
            ("Hidden", "net"): [0.44997975, 0, 0, 0],
            ("Hidden", "gc_i"): [0.71892214, 0.24392211, 0.24392211, 0.24392211],
            ("Output", "act"): [0.648718, 2.4021936e-33, 2.4021936e-33, 2.4021936e-33],
            ("Output", "net"): [0.24562117, 0, 0, 0],
            ("Output", "gc_i"): [0.29192635] * 4},
        3: {("Hidden", "act"): [0.5632278, 4e-45, 4e-45, 4e-45],
            ("Hidden", "net"): [0.475, 0, 0, 0],
            ("Hidden", "gc_i"): [0.7622025, 0.28720248, 0.28720248, 0.28720248],
            ("Output", "act"): [0.95, 0, 0, 0],
            ("Output", "net"): [0.2802849, 0, 0, 0],
            ("Output", "gc_i"): [0.42749998] * 4},
    }
    net = _basic_net(inhib=True)
    for pi in range(4):
        _alpha_trial(net, pi, _check_quarters(net, ref, pi))
        net.end_trial()


# TestNetLearn reference values; *Dwts etc. are indexed [param set * 4 + pattern]
LEARN_REF = {
    "qtr0": {("Hidden", "avg_s"): [0.9422413, 6.034972e-08, 6.034972e-08, 6.034972e-08],
             ("Hidden", "avg_m"): [0.8162388, 0.013628835, 0.013628835, 0.013628835],
             ("Output", "avg_s"): [0.93967456, 6.034972e-08, 6.034972e-08, 6.034972e-08],
             ("Output", "avg_m"): [0.7438192, 0.013628835, 0.013628835, 0.013628835]},
    "qtr3": {("Hidden", "avg_s"): [0.94315434, 6.0347804e-30, 6.0347804e-30, 6.0347804e-30],
             ("Hidden", "avg_m"): [0.94308215, 5.042516e-06, 5.042516e-06, 5.042516e-06],
             ("Output", "avg_s"): [0.9499999, 6.0347804e-30, 6.0347804e-30, 6.0347804e-30],
             ("Output", "avg_m"): [0.9492211, 5.042516e-06, 5.042516e-06, 5.042516e-06]},
    "avg_l": [[0.3975] * 4,
              [0.5935205, 0.35775128, 0.35775128, 0.35775128],
              [0.5341791, 0.55774546, 0.32197616, 0.32197616],
              [0.48076117, 0.50198156, 0.5255478, 0.28977853]],
    "avg_l_lrn": [None,
                  [0.0008553083, 0.00034286897, 0.00034286897, 0.00034286897],
                  [0.000726331, 0.00077755196, 0.00026511253, 0.00026511253],
                  [0.00061022834, 0.0006563504, 0.0007075711, 0.00019513167]],
    "hid_dwt": [3.376007e-06, 1.1105859e-05, 9.811188e-06, 8.4557105e-06,
                0.00050640106, 0.0016658787, 0.0014716781, 0.0012683566,
                3.376007e-07, 1.1105858e-06, 9.811188e-07, 8.4557104e-07,
                5.0640105e-05, 0.00016658788, 0.00014716781, 0.00012683566],
    "out_dwt": [2.8908253e-05, 2.9251574e-05, 2.9251574e-05, 2.9251574e-05,
                0.004336238, 0.0043877363, 0.0043877363, 0.0043877363,
                2.8908253e-06, 2.9251576e-06, 2.9251576e-06, 2.9251576e-06,
                0.0004336238, 0.00043877363, 0.00043877363, 0.00043877363],
    "hid_norm": [0, 0, 0, 0, 8.440018e-05, 0.00027764647, 0.0002452797, 0.00021139276,
                 0, 0, 0, 0, 8.440018e-05, 0.00027764647, 0.0002452797, 0.00021139276],
    "out_norm": [0, 0, 0, 0, 0.0007227063, 0.0007312894, 0.0007312894, 0.0007312894,
                 0, 0, 0, 0, 0.0007227063, 0.0007312894, 0.0007312894, 0.0007312894],
    "hid_moment": [0, 0, 0, 0, 0, 0, 0, 0,
                   8.440018e-05, 0.00027764647, 0.0002452797, 0.00021139276,
                   8.440018e-05, 0.00027764647, 0.0002452797, 0.00021139276],
    "out_moment": [0, 0, 0, 0, 0, 0, 0, 0,
                   0.0007227063, 0.0007312894, 0.0007312894, 0.0007312894,
                   0.0007227063, 0.0007312894, 0.0007312894, 0.0007312894],
    "hid_wt": [0.50001, 0.50003326, 0.5000293, 0.5000254,
               0.50151914, 0.5049973, 0.5044148, 0.5038051,
               0.5000011, 0.5000032, 0.50000286, 0.5000025,
               0.500152, 0.5004996, 0.5004417, 0.5003805],
    "out_wt": [0.50008655, 0.5000876, 0.5000876, 0.5000876,
               0.51300585, 0.5131602, 0.5131602, 0.5131602,
               0.5000086, 0.50000894, 0.50000894, 0.50000894,
               0.5013011, 0.5013164, 0.5013164, 0.5013164],
}
# param sets: Base (norm, momentum off), NormOn, MomentOn, NormMomentOn
PARAM_SETS = [(False, False), (True, False), (False, True), (True, True)]


def test_net_learn_matches_emergent():
    got = {k: np.zeros(16) for k in ("hid_dwt", "out_dwt", "hid_norm", "out_norm", "hid_moment",
                                      "out_moment", "hid_wt", "out_wt")}
    for ti, (norm, mom) in enumerate(PARAM_SETS):
        net = _basic_net(norm=norm, momentum=mom)
        for pi in range(4):
            def at(q):
                if pi == 0 and q in (0, 3):
                    for (layer, attr), vals in LEARN_REF[f"qtr{q}"].items():
                        close(_get(net, layer, attr), vals)
            _alpha_trial(net, pi, at)
            close(_get(net, "Hidden", "avg_l"), LEARN_REF["avg_l"][pi])
            if LEARN_REF["avg_l_lrn"][pi] is not None:
                close(_get(net, "Hidden", "avg_l_lrn"), LEARN_REF["avg_l_lrn"][pi], rel_tol=REL_TOL_LEARN)
            net.learn()
            d = ti * 4 + pi
            # synapse (pi -> pi) of the first receiving projection of Hidden / Output
            for tag, pj in (("hid", "in_hid"), ("out", "hid_out")):
                got[f"{tag}_dwt"][d] = np.asarray(net.observe(pj, "conn_dwt")["dwt"])[pi]
                got[f"{tag}_norm"][d] = np.asarray(net.observe(pj, "conn_norm")["norm"])[pi]
                got[f"{tag}_moment"][d] = np.asarray(net.observe(pj, "conn_moment")["moment"])[pi]
                got[f"{tag}_wt"][d] = np.asarray(net.observe(pj, "conn_wt")["wt"])[pi]
    for k, v in got.items():
        rel = None if k.endswith("_wt") else REL_TOL_LEARN
        close(v, LEARN_REF[k], rel_tol=rel)
    # weight changes (wt - 0.5, ~1e-5..1e-2) agree within the dwt tolerance plus
    # a few float32 ulps at 0.5 (6e-8 each), the resolution of the reference
    for k in ("hid_wt", "out_wt"):
        np.testing.assert_allclose(got[k] - 0.5, np.asarray(LEARN_REF[k]) - 0.5,
                                   rtol=REL_TOL_LEARN, atol=2.5e-7)


@pytest.mark.parametrize("value", [0.15, 0.5, 0.85])
def test_linear_weight_of_emergent_syn_setting(value):
    # TestSynValues: setting Wt = 0.15 gives LWt = 0.42822415 (inverse sigmoid, gain 6)
    from runtime.synapses.xcal import sig_inv_wt, sig_wt
    lw = sig_inv_wt(value, 6.0, 1.0)
    assert abs(sig_wt(lw, 6.0, 1.0) - value) < 1e-12
    if value == 0.15:
        assert abs(lw - 0.42822415) < 1e-7

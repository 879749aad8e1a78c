"""NEST's generators against NEST 3.10: dc_generator and spike_generator
timing (start/stop/origin, delays, weights, multiplicities) in V_m traces to
1e-9, poisson_generator windows exactly, and Poisson train statistics
(NEST's own trains come from another RNG, so only statistics compare)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from brainc.nest import Simulator

from .conftest import load_json


def _extra(kind: str) -> list[str]:
    return [k for k in load_json("extra.json")["devices"] if k.startswith(kind)]


@pytest.mark.parametrize("cid", _extra("dc/") + _extra("sg/"))
def test_current_and_spike_generator_timing(cid: str) -> None:
    c = load_json("extra.json")["devices"][cid]
    dt = c["dt"]
    sim = Simulator(dt=dt)
    if cid.startswith("dc/"):
        g = c["generator"]
        n = sim.create("iaf_psc_alpha")
        prm = {k: g[k] for k in ("amplitude", "start", "origin")}
        if g["stop"] < 1e299:
            prm["stop"] = g["stop"]
        dc = sim.create("dc_generator", params=prm)
        sim.connect(dc, n, weight=g["weight"], delay=g["delay"])
    else:
        n = sim.create("iaf_psc_delta")
        sg = sim.create("spike_generator", params=c["generator"])
        sim.connect(sg, n, weight=c["weight"], delay=c["delay"])
    vm = sim.create("voltmeter", params={"interval": dt})
    sim.connect(vm, n)
    _, v = sim.simulate(c["T"]).trace(vm)
    assert np.max(np.abs(v - np.array(c["V_m"]))) <= 1e-9


@pytest.mark.parametrize("cid", _extra("pg/"))
def test_poisson_generator_window(cid: str) -> None:
    c = load_json("extra.json")["devices"][cid]
    sim = Simulator(dt=c["dt"])
    pg = sim.create("poisson_generator", params=c["generator"])
    par = sim.create("parrot_neuron", c["n_targets"])
    sr = sim.create("spike_recorder")
    sim.connect(pg, par, delay=c["delay"])
    sim.connect(par, sr)
    t, _ = sim.simulate(c["T"]).spikes(sr)
    assert abs(t.min() - c["first"]) < 1e-9 and abs(t.max() - c["last"]) < 1e-9


@pytest.mark.parametrize("case", ["rate10", "rate50", "rate1000"])
def test_poisson_statistics(case: str) -> None:
    """Counts per target (read from accumulating neurons, so multiplicities
    count) have the Poisson mean and Fano factor NEST's trains have; ISIs of the
    parrot-repeated trains have CV 1."""
    ref = load_json("generators.json")["cases"][case]
    rate, N, T = ref["rate_hz"], ref["n_targets"], ref["T_ms"]
    if T > 2000.0:
        T = 2000.0  # keeps the test fast; the tolerances below scale with T
    sim = Simulator(dt=ref["dt"], seed=7)
    pg = sim.create("poisson_generator", params={"rate": rate})
    acc = sim.create("iaf_psc_delta", N, {"tau_m": 1e12, "V_th": 1e12, "E_L": 0.0, "V_m": 0.0, "V_reset": 0.0})
    par = sim.create("parrot_neuron", N)
    sr = sim.create("spike_recorder")
    sim.connect(pg, acc, weight=1.0, delay=1.0)
    sim.connect(pg, par, delay=1.0)
    sim.connect(par, sr)
    sim.simulate(T + 1.0)
    counts = np.rint(np.asarray(acc.get("V_m"))).astype(np.int64)
    mu = rate * T / 1000.0
    mean = counts.mean()
    assert abs(mean - mu) < 5.0 * math.sqrt(mu / N)
    # NEST's mean (over its own T) estimates the same rate
    assert abs(mean / T - ref["mean_count"] / ref["T_ms"]) < 5.0 * math.sqrt(
        mu / N / T ** 2 + ref["mean_count"] / N / ref["T_ms"] ** 2)
    fano = counts.var() / mean
    assert abs(fano - 1.0) < 5.0 * math.sqrt(2.0 / (N - 1)) + 0.02
    t, s = sim.cont(0.0).spikes(sr)
    cvs = []
    for k in np.unique(s):
        ti = t[s == k]
        if ti.size > 3:
            isi = np.diff(ti)
            cvs.append(isi.std() / isi.mean())
    if case == "rate50":  # enough ISIs per train for an unbiased mean CV
        assert abs(np.mean(cvs) - 1.0) < 0.05
        assert abs(np.mean(cvs) - ref["cv_isi_mean"]) < 0.06


def test_dc_generator_feeds_current_receptor_of_every_model() -> None:
    """A current step moves V_m the same way in all current-based models it targets."""
    for model in ("iaf_psc_delta", "iaf_psc_exp", "iaf_psc_alpha", "iaf_cond_exp", "aeif_cond_alpha",
                  "izhikevich"):
        sim = Simulator(dt=0.1)
        n = sim.create(model)
        dc = sim.create("dc_generator", params={"amplitude": 5.0 if model == "izhikevich" else 100.0})
        sim.connect(dc, n)
        vm = sim.create("voltmeter")
        sim.connect(vm, n)
        _, v = sim.simulate(20.0).trace(vm)
        ref = Simulator(dt=0.1)
        m = ref.create(model)
        vm2 = ref.create("voltmeter")
        ref.connect(vm2, m)
        _, v0 = ref.simulate(20.0).trace(vm2)
        # on from the first step, delay 1 ms, applied in the step after arrival:
        # V_m first differs in the sample at 1.2 ms
        assert np.all(v[:11] == v0[:11]), model
        assert v[11] > v0[11], model


def test_noise_generator_statistics() -> None:
    sim = Simulator(dt=0.1, seed=3)
    n = sim.create("iaf_psc_delta", 500, {"tau_m": 1e12, "V_th": 1e12, "E_L": 0.0, "V_m": 0.0, "C_m": 1.0})
    ng = sim.create("noise_generator", params={"mean": 2.0, "std": 10.0, "dt": 1.0})
    sim.connect(ng, n)
    sim.simulate(101.0)
    v = np.asarray(n.get("V_m"))
    # each held value acts for 10 steps of 0.1 ms on C_m = 1 pF: 100 values, each x 1 ms
    assert abs(v.mean() - 2.0 * 100.0) < 5 * 10.0 * math.sqrt(100.0) / math.sqrt(500)
    assert 0.8 < v.std() / (10.0 * math.sqrt(100.0)) < 1.2


def _poisson_deviates(lam: float, n: int, seed: int) -> np.ndarray:
    """``n`` deviates of runtime.rng.poisson with mean ``lam`` from one stream."""
    from numba import njit

    from runtime.rng import new_state, poisson

    @njit
    def draw(s, lam, n):
        out = np.empty(n, np.int64)
        for i in range(n):
            out[i] = poisson(s, lam)
        return out

    return draw(new_state(seed), lam, n)


@pytest.mark.parametrize("lam", [30.0, 35.5, 300.0, 1e5, 1e8])
def test_poisson_deviates_above_the_inversion_range(lam: float) -> None:
    """From lam = 30 per step the generator draws by PTRS rejection: the
    deviates have the Poisson mean and variance (5 sigma; the variance's
    standard error is lam * sqrt(2 / n)), at O(1) uniforms each for any lam."""
    n = 200_000
    x = _poisson_deviates(lam, n, seed=3).astype(float)
    assert abs(x.mean() - lam) < 5.0 * math.sqrt(lam / n)
    assert abs(x.var() / lam - 1.0) < 5.0 * math.sqrt(2.0 / n)
    assert np.all(x == np.rint(x)) and x.min() >= 0


def test_poisson_pmf_from_30_on() -> None:
    """Chi-square of 1 M deviates at lam = 35 against the Poisson pmf (cells
    with >= 20 expected): below the 0.999 quantile."""
    lam, n = 35.0, 1_000_000
    x = _poisson_deviates(lam, n, seed=9)
    ks = np.arange(0, 120)
    pmf = np.exp(ks * math.log(lam) - lam - np.array([math.lgamma(k + 1.0) for k in ks]))
    obs, exp = np.bincount(x, minlength=ks.size)[:ks.size], pmf * n
    m = exp >= 20
    chi2 = float(((obs[m] - exp[m]) ** 2 / exp[m]).sum())
    dof = int(m.sum()) - 1
    assert chi2 < dof + 3.1 * math.sqrt(2 * dof) + 10, (chi2, dof)  # ~0.999 quantile for dof ~ 50


def test_huge_poisson_rate_runs_at_once() -> None:
    """A rate of 1e12 Hz (1e8 spikes per 0.1 ms step and target) used to take
    O(rate) draws; now a few per target: 100 targets, 20 steps."""
    sim = Simulator(dt=0.1, seed=2)
    pg = sim.create("poisson_generator", params={"rate": 1e12})
    acc = sim.create("iaf_psc_delta", 100, {"tau_m": 1e12, "V_th": 1e300, "E_L": 0.0, "V_m": 0.0, "V_reset": 0.0})
    sim.connect(pg, acc, weight=1e-8, delay=0.1)
    sim.simulate(2.1)
    counts = np.asarray(acc.get("V_m")) / 1e-8
    steps = 19  # 21 steps simulated: the first spikes are stamped start + 2h, one step of delay
    assert abs(counts.mean() / (steps * 1e8) - 1.0) < 5.0 * math.sqrt(1.0 / (steps * 1e8 * 100))
    # the Poisson spread per target (not a rounded mean, not more)
    assert 0.5 * math.sqrt(steps * 1e8) < counts.std() < 2.0 * math.sqrt(steps * 1e8)

"""GPU kernels of the dimensionless spiking family: Izhikevich neurons.

A line-by-line transcription of :func:`runtime.models.izhikevich.update`
(same operation order, so with ``--fmad=false`` each unit's arithmetic rounds
exactly as on the CPU).
"""
from __future__ import annotations

from . import GpuKernel, register_gpu

IZHIKEVICH = r"""
extern "C" __global__ void izhikevich_update(UPDATE_ARGS) {
    if (ctl[CTL_STOP]) return;
    i64 i = brainc_tid();
    if (i >= n) return;
    const double a = P[0 * n + i], b = P[1 * n + i], c = P[2 * n + i], d = P[3 * n + i];
    const double v_peak = P[4 * n + i], v_min = P[5 * n + i], bias = P[6 * n + i], v_cap = P[7 * n + i];
    const double h = 0.5 * dt;
    // receptors summed into row 0 first, then added to the bias (the CPU kernel's order)
    double in0 = I[i];
    for (i64 r = 1; r < n_rec; r++) in0 += I[r * n + i];
    I[i] = in0;
    const double cur = bias + in0;
    double vi = S[0 * n + i];
    double ui = S[1 * n + i];
    bool spiked = false;
    for (int half = 0; half < 2; half++) {
        vi += h * (0.04 * vi * vi + 5.0 * vi + 140.0 - ui + cur);
        if (vi < v_min) vi = v_min;
        else if (vi > v_cap) vi = v_cap;
        if (vi >= v_peak) spiked = true;
    }
    ui += dt * a * (b * vi - ui);
    if (spiked) {
        vi = c;
        ui += d;
        out[i] = 1.0;
        brainc_fire(fired, nf, i);
    } else {
        out[i] = 0.0;
    }
    S[0 * n + i] = vi;
    S[1 * n + i] = ui;
}
"""

register_gpu(GpuKernel(
    model="izhikevich", kind="neuron", source=IZHIKEVICH, entries={"update": "izhikevich_update"},
    params=("a", "b", "c", "d", "v_peak", "v_min", "I_bias", "v_cap"), state=("v", "u")))

"""The fixed layout of global modulator channels (``mods``) shared by all kernels.

Channel indices are constants so kernels can read them without lookups; a
recipe's own ``modulators`` are appended after these.
"""
MOD_REWARD = 0       #: reward pulse for three-factor rules; cleared after every tick (net.reward(m))
MOD_DOPAMINE = 1     #: dopamine level (NEST-style dopamine synapses may also use a volume transmitter)
MOD_LEARN = 2        #: 1 on a learning tick (Leabra: units frozen, XCAL applied)
MOD_PHASE = 3        #: Leabra phase: 0 free, 1 minus, 2 plus
MOD_TRIAL_START = 4  #: Leabra: 1 on the send-only first tick of a trial; a pulse (cleared after the tick)

NAMES = ("reward", "dopamine", "learn", "phase", "trial_start")
PULSES = ("reward", "trial_start")

#!/usr/bin/env python3
"""Generate JetTag's shipped top-vs-QCD sample with Pythia 8 and FastJet.

Top jets (pp -> t tbar, both W -> q q', the top and its three decay quarks within dR < 0.8 of the jet axis)
and QCD jets (HardQCD:all), sqrt(s) = 14 TeV, MPI on, Monash tune, all stable visible particles (neutrinos
dropped), anti-kT R = 0.8, jet pT in [550, 650] GeV, |eta| < 2. The settings reproduce those of the
development file ../shared/data/top_qcd_dev.h5 (its file attributes).

Output: the compound layout of docs/DESIGN.md section 2.1 (`jets` and `constituents`, chunked 1000 jets, gzip 4 +
shuffle) with generator settings, seeds, versions and timings as file attributes.

Reproducible: each class is one Pythia job with its own seed (`seed + 1` top, `seed + 2` QCD), so the output
depends on `--seed` and `--jets-per-class` only, not on `--workers`. The classes are merged and shuffled with
`numpy.random.default_rng(seed)`.

    python3 Datasets/generate_sample.py --jets-per-class 4000 --seed 1 --out Datasets/top_qcd_sample.h5
"""

import argparse
import json
import math
import multiprocessing
import os
import time

import fastjet
import h5py
import numpy as np
import pythia8mc

PYTHIA_VERSION = "8.317"
FASTJET_VERSION = fastjet.__version__
MAX_CONSTITUENTS = 200
JET_R = 0.8
JET_PT_RANGE = (550.0, 650.0)
JET_ETA_MAX = 2.0
PTHAT_MIN = 500.0
FSR_ALPHAS = 0.1365
CHUNK_JETS = 1000
NEUTRINOS = {12, 14, 16}
LABEL_NAMES = "qcd,top"

COMMON_SETTINGS = [
    "Beams:eCM = 14000.0",
    "Random:setSeed = on",
    "Random:seed = {seed}",
    "Tune:pp = 14",
    "PartonLevel:MPI = on",
    f"TimeShower:alphaSvalue = {FSR_ALPHAS}",
    f"PhaseSpace:pTHatMin = {PTHAT_MIN}",
]
PROCESS_SETTINGS = {
    "top": ["Top:gg2ttbar = on", "Top:qqbar2ttbar = on", "24:onMode = off", "24:onIfAny = 1 2 3 4 5"],
    "qcd": ["HardQCD:all = on"],
}
QUIET_SETTINGS = [
    "Next:numberCount = 0",
    "Next:numberShowEvent = 0",
    "Next:numberShowInfo = 0",
    "Next:numberShowProcess = 0",
    "Init:showProcesses = off",
    "Init:showMultipartonInteractions = off",
    "Init:showChangedParticleData = off",
]
PROCESS_TEXT = {
    "top": "pp -> t tbar (Top:gg2ttbar, Top:qqbar2ttbar), W -> q q' only (fully hadronic)",
    "qcd": "pp -> 2 jets (HardQCD:all)",
}
LABELS = {"qcd": 0, "top": 1}

JET_DTYPE = np.dtype([
    ("pt", "<f4"), ("eta", "<f4"), ("phi", "<f4"), ("mass", "<f4"), ("energy", "<f4"),
    ("n_constituents", "<i4"), ("label", "<i4"), ("weight", "<f4"), ("event_number", "<i8"),
])
CONSTITUENT_DTYPE = np.dtype([
    ("pt", "<f4"), ("eta", "<f4"), ("phi", "<f4"), ("energy", "<f4"),
    ("charge", "i1"), ("pdg_id", "<i4"), ("valid", "?"),
])


def delta_r(eta1, phi1, eta2, phi2):
    dphi = (phi1 - phi2 + math.pi) % (2.0 * math.pi) - math.pi
    return math.hypot(eta1 - eta2, dphi)


def top_decay_partons(event):
    """For each decaying top (last copy): [(eta, phi)] of the top, its b quark and both W decay quarks."""
    systems = []
    for i in range(event.size()):
        particle = event[i]
        if particle.idAbs() != 6 or particle.iBotCopyId() != i:
            continue
        top_products = [event[d] for d in particle.daughterList()]
        b_quarks = [p for p in top_products if p.idAbs() == 5]
        w_bosons = [p for p in top_products if p.idAbs() == 24]
        if len(b_quarks) != 1 or len(w_bosons) != 1:
            continue
        w_last = event[w_bosons[0].iBotCopyId()]
        w_quarks = [event[d] for d in w_last.daughterList() if 1 <= event[d].idAbs() <= 5]
        if len(w_quarks) != 2:
            continue
        systems.append([(p.eta(), p.phi()) for p in [particle, b_quarks[0], *w_quarks]])
    return systems


def is_truth_matched(jet_eta, jet_phi, systems):
    return any(all(delta_r(jet_eta, jet_phi, eta, phi) < JET_R for eta, phi in system) for system in systems)


def generate_class(job):
    """Run one Pythia job until `n_jets` jets of class `name` pass the selection; returns arrays + stats."""
    name, seed, n_jets = job
    settings = [s.format(seed=seed) for s in COMMON_SETTINGS] + PROCESS_SETTINGS[name] + QUIET_SETTINGS
    start = time.time()
    pythia = pythia8mc.Pythia("", False)
    for line in settings:
        pythia.readString(line)
    if not pythia.init():
        raise RuntimeError(f"Pythia initialisation failed for {name} (seed {seed})")
    init_time = time.time() - start

    jet_definition = fastjet.JetDefinition(fastjet.antikt_algorithm, JET_R)
    jets = np.zeros(n_jets, dtype=JET_DTYPE)
    constituents = np.zeros((n_jets, MAX_CONSTITUENTS), dtype=CONSTITUENT_DTYPE)
    n_kept = n_events = n_candidates = n_failed_match = n_truncated = 0
    generation_start = time.time()
    while n_kept < n_jets:
        if not pythia.next():
            continue
        event_index = n_events
        n_events += 1
        event = pythia.event
        inputs, particles = [], []
        for i in range(event.size()):
            particle = event[i]
            if not particle.isFinal() or particle.idAbs() in NEUTRINOS:
                continue
            pseudo_jet = fastjet.PseudoJet(particle.px(), particle.py(), particle.pz(), particle.e())
            pseudo_jet.set_user_index(len(particles))
            inputs.append(pseudo_jet)
            particles.append((particle.pT(), particle.eta(), particle.phi(), particle.e(),
                              round(particle.charge()), particle.id()))
        sequence = fastjet.ClusterSequence(inputs, jet_definition)
        leading = fastjet.sorted_by_pt(sequence.inclusive_jets())[:2]
        systems = top_decay_partons(event) if name == "top" else []
        for jet in leading:
            if n_kept == n_jets:
                break
            if not (JET_PT_RANGE[0] <= jet.pt() <= JET_PT_RANGE[1] and abs(jet.eta()) < JET_ETA_MAX):
                continue
            n_candidates += 1
            if name == "top" and not is_truth_matched(jet.eta(), jet.phi_std(), systems):
                n_failed_match += 1
                continue
            members = sorted((particles[c.user_index()] for c in jet.constituents()), key=lambda p: -p[0])
            if len(members) > MAX_CONSTITUENTS:
                n_truncated += 1
                members = members[:MAX_CONSTITUENTS]
            jets[n_kept] = (jet.pt(), jet.eta(), jet.phi_std(), jet.m(), jet.E(), len(members),
                            LABELS[name], 1.0, seed * 10**9 + event_index)
            row = constituents[n_kept]
            for k, (pt, eta, phi, energy, charge, pdg_id) in enumerate(members):
                row[k] = (pt, eta, phi, energy, charge, pdg_id, True)
            n_kept += 1
    generation_time = time.time() - generation_start

    info = pythia.infoPython()
    stats = {
        "label": str(LABELS[name]),
        "process": PROCESS_TEXT[name],
        "seed": str(seed),
        "pythia_settings": "\n".join(settings),
        "n_events": str(n_events),
        "n_jets": str(n_jets),
        "n_candidate_jets": str(n_candidates),
        "n_failed_truth_match": str(n_failed_match),
        "n_truncated_jets": str(n_truncated),
        "init_time_s": f"{init_time:.1f}",
        "gen_time_s": f"{generation_time:.1f}",
        "events_per_s": f"{n_events / generation_time:.3f}",
        "jets_per_s": f"{n_jets / generation_time:.3f}",
        "sigma_gen_mb": f"{info.sigmaGen():.6g}",
        "sigma_err_mb": f"{info.sigmaErr():.6g}",
        "sum_event_weights": f"{info.weightSum():.6g}",
    }
    return name, jets, constituents, stats


def write_sample(path, jets, constituents, attributes):
    temporary = path + ".tmp"
    with h5py.File(temporary, "w") as f:
        options = dict(compression="gzip", compression_opts=4, shuffle=True)
        f.create_dataset("jets", data=jets, chunks=(min(CHUNK_JETS, len(jets)),), **options)
        f.create_dataset("constituents", data=constituents,
                         chunks=(min(CHUNK_JETS, len(jets)), MAX_CONSTITUENTS), **options)
        for key, value in attributes.items():
            f.attrs[key] = value
    os.replace(temporary, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jets-per-class", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=1, help="class seeds are seed + 1 (top), seed + 2 (qcd)")
    parser.add_argument("--out", default="Datasets/top_qcd_sample.h5")
    parser.add_argument("--workers", type=int, default=1, help="processes (at most 2 useful: one per class)")
    args = parser.parse_args()

    start = time.time()
    jobs = [("top", args.seed + 1, args.jets_per_class), ("qcd", args.seed + 2, args.jets_per_class)]
    if args.workers > 1:
        with multiprocessing.Pool(min(args.workers, len(jobs))) as pool:
            results = pool.map(generate_class, jobs)
    else:
        results = [generate_class(job) for job in jobs]
    results.sort(key=lambda result: LABELS[result[0]])

    jets = np.concatenate([result[1] for result in results])
    constituents = np.concatenate([result[2] for result in results])
    permutation = np.random.default_rng(args.seed).permutation(len(jets))
    jets, constituents = jets[permutation], constituents[permutation]

    part_stats = [result[3] for result in results]
    common = {
        "generator": "Pythia 8 (pythia8mc Python bindings)",
        "pythia_version": PYTHIA_VERSION,
        "fastjet_version": FASTJET_VERSION,
        "sample": "tagging",
        "label_names": LABEL_NAMES,
        "sqrt_s": "14000 GeV",
        "tune": "Tune:pp = 14 (Monash 2013)",
        "mpi": "on",
        "fsr_alphas": f"TimeShower:alphaSvalue = {FSR_ALPHAS}",
        "pthat_min": f"{PTHAT_MIN} GeV",
        "jet_algorithm": f"anti-kT, FastJet, E-scheme, R = {JET_R}",
        "jet_R": str(JET_R),
        "jet_pt_range": f"[{JET_PT_RANGE[0]}, {JET_PT_RANGE[1]}] GeV",
        "jet_eta_max": f"|eta| < {JET_ETA_MAX}",
        "jet_selection": "leading 2 jets (by pT) of each event, kept if they pass the pT/eta cuts "
                         "(top: and the top truth matching)",
        "truth_matching": "top jet kept only if the decaying top (last copy), its b quark and both W decay "
                          "quarks are all within dR(eta,phi) < 0.8 of the jet axis (arXiv:1902.09914)",
        "constituent_selection": "all final-state particles except neutrinos (|pdg| 12, 14, 16), no pT/eta "
                                 "cut; Pythia default decays (particles with tau0 < 1000 mm decay)",
        "eta_phi_convention": "absolute pseudorapidity and azimuth; phi in (-pi, pi]",
        "max_constituents": str(MAX_CONSTITUENTS),
        "event_number_definition": "seed * 10**9 + index of generated event in the job",
        "weight_definition": "1 (unweighted events)",
    }
    attributes = dict(common)
    for key in part_stats[0]:
        attributes[key] = " | ".join(stats[key] for stats in part_stats)
    attributes["seed"] = ",".join(stats["seed"] for stats in part_stats)
    attributes["n_jets"] = str(len(jets))
    attributes["n_events"] = str(sum(int(stats["n_events"]) for stats in part_stats))
    attributes["merge"] = (f"{len(jobs)} classes, {args.jets_per_class} jets each; shuffled "
                           f"(numpy default_rng seed {args.seed})")
    attributes["provenance"] = json.dumps([{**common, **stats} for stats in part_stats], indent=1)
    attributes["command"] = (f"python3 Datasets/generate_sample.py --jets-per-class {args.jets_per_class} "
                             f"--seed {args.seed} --out {args.out} --workers {args.workers}")
    attributes["total_time_s"] = f"{time.time() - start:.1f}"
    write_sample(args.out, jets, constituents, attributes)
    print(f"wrote {args.out}: {len(jets)} jets, {os.path.getsize(args.out) / 1e6:.2f} MB, "
          f"{time.time() - start:.1f} s")


if __name__ == "__main__":
    main()

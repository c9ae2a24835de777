#!/usr/bin/env python3
"""Checks JetTag's ONNX exports in ONNX Runtime against what `jettag predict` wrote.

    check_onnx.py DIR

Each DIR/<case>/ (written by Tests/JetTagKitTests/ONNXExportTests.swift) holds model.onnx, preprocess.json, the
network inputs JetTag prepared for real jets of Datasets/top_qcd_sample.h5 (*.bin, described in case.json) and the
probabilities JetTag computed for them. Per case: onnx.checker.check_model (full check), the inputs and outputs the
docs promise, the metadata, ONNX Runtime's probabilities within 1e-5 (absolute) of JetTag's for every jet (one of
them cut to a single constituent, one with every slot filled; for ParticleNet one cut to fewer constituents than
k, also alone with P cut to them, and one whose coordinates all tie), a jet with every slot masked, the same with the
padding axis cut to the longest jet (a dynamic P) and for the single-constituent jet alone (a dynamic N). Ends with 'N passed, M failed'.
"""
import json
import traceback
import pathlib
import sys

import numpy as np
import onnx
import onnxruntime as ort

TOLERANCE = 1e-5


def load(case_dir, name, spec):
    return np.fromfile(case_dir / spec["file"], dtype=spec["dtype"]).reshape(spec["shape"])


def check_case(case_dir):
    case = json.loads((case_dir / "case.json").read_text())
    model_path = case_dir / "model.onnx"
    model = onnx.load(str(model_path))
    onnx.checker.check_model(model, full_check=True)
    assert model.opset_import[0].version == 13 and model.ir_version == 7, (model.opset_import, model.ir_version)

    metadata = {p.key: p.value for p in model.metadata_props}
    preprocess = (case_dir / "preprocess.json").read_text()
    assert metadata["preprocess_json"] == preprocess, "metadata preprocess_json differs from preprocess.json"
    prep = json.loads(preprocess)
    jettag = json.loads(metadata["jettag"])
    assert json.loads(metadata["class_names"]) == case["classes"] == prep["output_names"] == jettag["class_names"]
    assert jettag["standardization_in_graph"] == case["include_preprocessing"]
    assert metadata["standardization_in_graph"] == ("true" if case["include_preprocessing"] else "false")

    inputs = {name: load(case_dir, name, spec) for name, spec in case["inputs"].items()}
    assert prep["input_names"] == [i.name for i in model.graph.input], (prep["input_names"], model.graph.input)
    assert sorted(inputs) == sorted(prep["input_names"]), (sorted(inputs), prep["input_names"])
    for name in prep["input_names"]:
        if name in ("pf_features", "pf_mask"):
            group = prep[name]
            assert group["var_length"] == case["slots"], group
            if name == "pf_features":
                assert len(group["var_names"]) == inputs[name].shape[1]
                for var in group["var_names"]:
                    info = group["var_infos"][var]
                    if case["include_preprocessing"]:
                        assert info["median"] == 0 and info["norm_factor"] == 1, info

    session = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    outputs = [o.name for o in session.get_outputs()]
    classes = len(case["classes"])
    expected_names = ["probabilities", "logits"] + (["probabilities_std"] if "expected_std" in case else [])
    assert outputs == expected_names, outputs
    for o in session.get_outputs():
        assert o.type == "tensor(float)", o
    for i in session.get_inputs():
        assert i.shape[0] == "N", i
        if i.name in ("pf_features", "pf_mask"):
            assert i.shape[2] == "P", i

    expected = np.fromfile(case_dir / case["expected_probabilities"], dtype="float32").reshape(case["jets"], classes)
    got = session.run(None, inputs)
    probabilities = got[0]
    assert probabilities.shape == expected.shape, (probabilities.shape, expected.shape)
    difference = np.abs(probabilities - expected)
    worst = int(np.argmax(difference.max(axis=1)))
    assert difference.max() <= TOLERANCE, f"max |onnx - jettag| = {difference.max():.3g} at jet {worst}"
    assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)
    logits = got[1]
    if classes == 2 and "expected_std" not in case:  # an ensemble's logit is the members' mean logit
        assert np.allclose(1 / (1 + np.exp(-logits[:, 0].astype(np.float64))), probabilities[:, 1], atol=1e-5)
    if "expected_std" in case:
        spread = np.fromfile(case_dir / case["expected_std"], dtype="float32").reshape(case["jets"], classes)
        assert np.abs(got[2] - spread).max() <= TOLERANCE, f"std: max difference {np.abs(got[2] - spread).max():.3g}"
    notes = [f"{case['jets']} jets, max |diff| {difference.max():.1e}"]

    if "pf_mask" in inputs:
        multiplicities = inputs["pf_mask"][:, 0, :].sum(axis=1)
        assert multiplicities[case["single_constituent_jet"]] == 1
        assert multiplicities[case["full_jet"]] == case["slots"]
        notes.append(f"jet {case['single_constituent_jet']}: 1 constituent, jet {case['full_jet']}: {case['slots']}")
        if "few_constituents_jet" in case:
            # alone, with P cut to its constituents: fewer slots than ParticleNet's k
            few, count = case["few_constituents_jet"]
            assert multiplicities[few] == count
            alone = {k: (v[few:few + 1, :, :count] if k in ("pf_features", "pf_mask") else v[few:few + 1]) for k, v in inputs.items()}
            assert np.abs(session.run(["probabilities"], alone)[0] - expected[few]).max() <= TOLERANCE, "the few-constituent jet alone"
            notes.append(f"jet {few}: {count} constituents, also alone with P={count}")
        if "tied_jet" in case:
            tied, count = case["tied_jet"]
            assert multiplicities[tied] == count
            notes.append(f"jet {tied}: {count} constituents with tied coordinates")
        # dynamic P: the padding axis cut to the longest jet of a batch without the full jet
        rows = np.array([r for r in range(case["jets"]) if multiplicities[r] < case["slots"]])
        longest = int(multiplicities[rows].max())
        cut = {k: (v[rows][:, :, :longest] if k in ("pf_features", "pf_mask") else v[rows]) for k, v in inputs.items()}
        cut_probabilities = session.run(["probabilities"], cut)[0]
        assert np.abs(cut_probabilities - expected[rows]).max() <= TOLERANCE, "P cut to the longest jet differs"
        notes.append(f"P={longest} for {len(rows)} jets")
        # jet 0 with every slot masked: what the model gives for a jet without constituents, not NaN
        empty = {k: v[:1].copy() for k, v in inputs.items()}
        empty["pf_mask"][:] = 0
        empty_expected = np.fromfile(case_dir / case["expected_empty_jet"], dtype="float32").reshape(1, classes)
        empty_got = session.run(["probabilities"], empty)[0]
        assert np.all(np.isfinite(empty_got)), f"empty jet: {empty_got}"
        assert np.abs(empty_got - empty_expected).max() <= TOLERANCE, f"empty jet: {empty_got} != {empty_expected}"
        notes.append("empty jet")
    # dynamic N: one jet alone
    alone = {k: v[:1] for k, v in inputs.items()}
    assert np.abs(session.run(["probabilities"], alone)[0] - expected[:1]).max() <= TOLERANCE, "one jet alone differs"
    return "; ".join(notes)


def main():
    root = pathlib.Path(sys.argv[1])
    passed = failed = 0
    print(f"onnx {onnx.__version__}, onnxruntime {ort.__version__}")
    for case_dir in sorted(p for p in root.iterdir() if (p / "case.json").exists()):
        try:
            note = check_case(case_dir)
            print(f"PASS {case_dir.name}: {note}")
            passed += 1
        except Exception as error:  # report every case, then fail
            where = traceback.extract_tb(error.__traceback__)[-1]
            print(f"FAIL {case_dir.name}: {type(error).__name__} at line {where.lineno} ({where.line}): {error}")
            failed += 1
    print(f"{passed} passed, {failed} failed")
    sys.exit(0 if failed == 0 and passed > 0 else 1)


if __name__ == "__main__":
    main()

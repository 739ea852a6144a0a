"""Every Python snippet of the shipped deck runs, against tiny random models built here.

Nothing is downloaded: each hub name a snippet loads ("FacebookAI/roberta-base") is a folder
this test writes first, holding a tiny random model and a tokenizer trained on a few
sentences, and torchvision's and Keras's weight caches hold random weights of the right
shapes. A snippet runs exactly as printed on its card, except where a card trains for a real
budget (then fewer steps) or names a download (then `weights=None`): SUBSTITUTIONS lists each
change. After it runs, each test checks what the card claims the code does.

The libraries (torch, torchvision, transformers, peft, datasets, keras) are the `snippets`
extra of pyproject.toml, never runtime dependencies. Missing locally, a test skips with the
reason; under CI=true it fails, so a skip can never hide a broken snippet.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support import REPO

from deckbuild.project.config import load_config
from deckbuild.project.sources import load_sources

os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ["HF_HUB_OFFLINE"] = "1"  # a snippet that tried to download would fail, not fetch
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
with contextlib.suppress(ImportError):  # two cores, shared: one thread is the fastest here
    import torch

    torch.set_num_threads(1)

_FENCE = re.compile(r"^```python\n(.*?)^```", re.M | re.S)


def shipped_snippets() -> dict[str, list[str]]:
    """Card id -> its Python code blocks, answer and Extra, in order."""
    files, _ = load_sources(load_config(REPO))
    found: dict[str, list[str]] = {}
    for source in files:
        for card in source.cards:
            blocks = _FENCE.findall(card.answer + "\n" + card.extra + "\n")
            if blocks:
                found[str(card.id)] = blocks
    return found


SNIPPETS = shipped_snippets()

# (card id, which of its snippets) -> (text on the card, what the test runs instead, why).
SUBSTITUTIONS: dict[tuple[str, int], list[tuple[str, str, str]]] = {
    ("domain-task-adaptive-pretraining-dapt-tapt", 0): [
        ("num_train_epochs=100)", "num_train_epochs=100, max_steps=2, report_to=[])",
         "two steps stand in for a hundred epochs"),
    ],
    ("finetune-bert-text-classification-steps", 0): [
        ("load_best_model_at_end=True,", "load_best_model_at_end=True, report_to=[],",
         "no experiment tracker"),
    ],
    ("batchnorm-frozen-backbone-trap", 1): [
        ("keras.applications.ResNet50(include_top=False",
         "keras.applications.ResNet50(weights=None, include_top=False",
         "Keras checks its ImageNet file's hash, so random weights cannot stand in; the layers are the same"),
    ],
}


# Libraries no machine of this project can install, and why: their snippets skip everywhere,
# CI included, with this reason. Any other missing library fails under CI=true.
NOT_INSTALLABLE: dict[str, str] = {}


def require(*modules: str) -> None:
    """Skip with the reason locally; under CI=true a missing library is a failure, unless
    NOT_INSTALLABLE says why no machine of the project can have it."""
    missing = []
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(module)
    if not missing:
        return
    declared = [f"{m}: {NOT_INSTALLABLE[m]}" for m in missing if m in NOT_INSTALLABLE]
    if declared:
        pytest.skip("; ".join(declared))
    reason = f"snippet tests need {', '.join(missing)}: pip install -e '.[snippets]'"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: snippet tests may not be skipped)", pytrace=False)
    pytest.skip(reason)


def code(card_id: str, index: int = 0) -> str:
    text = SNIPPETS[card_id][index]
    for old, new, _ in SUBSTITUTIONS.get((card_id, index), []):
        assert old in text, f"{card_id}: the card no longer says {old!r}"
        text = text.replace(old, new)
    return text


def run(card_id: str, namespace: dict[str, Any] | None = None, index: int = 0) -> dict[str, Any]:
    """Execute a card's snippet in a namespace holding the names it expects from context."""
    scope: dict[str, Any] = {"__name__": f"snippet_{card_id.replace('-', '_')}"}
    scope.update(namespace or {})
    exec(compile(code(card_id, index), f"<{card_id}>", "exec"), scope)  # noqa: S102
    return scope


@contextlib.contextmanager
def inside(folder: Path) -> Iterator[Path]:
    """Run in folder, so that hub names resolve to the tiny models written there."""
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield folder
    finally:
        os.chdir(before)


def test_every_python_snippet_has_a_test():
    tested = {name.removeprefix("test_snippet_").replace("_", "-")
              for name in globals() if name.startswith("test_snippet_")}
    untested = {card_id for card_id in SNIPPETS if _slug(card_id) not in tested}
    assert untested == set(), f"snippets without a test: {sorted(untested)}"


def _slug(card_id: str) -> str:
    return {
        "correcting-covariate-and-label-shift": "bbse",
        "layer-freezing-gradual-unfreezing-discriminative-lr": "layerwise-groups",
        "domain-generalisation-test-time-adaptation": "tent",
        "domain-task-adaptive-pretraining-dapt-tapt": "dapt",
        "knowledge-distillation-teacher-student": "kd-loss",
        "finetune-resnet-image-classifier-steps": "resnet-two-stages",
        "batchnorm-frozen-backbone-trap": "batchnorm",
        "finetune-bert-text-classification-steps": "bert-trainer",
        "input-mismatch-preprocessing-tokenizer": "input-mismatch",
        "peft-adapters-lora-prefix-prompt-tuning": "lora-config",
        "multimodal-transfer-clip-zero-shot-vlm-fine-tuning": "clip-zero-shot",
        "robust-fine-tuning-wise-ft-model-soups-merging": "wise-ft",
        "llm-fine-tuning-chat-templates-memory": "chat-template-mask",
        "transfer-detection-segmentation": "detector-head",
        "speech-transfer-wav2vec2-hubert-whisper": "wav2vec2-ctc",
        "debug-underperforming-fine-tuned-model": "overfit-one-batch",
        "deploying-fine-tuned-models": "merge-lora",
    }.get(card_id, card_id)


# ---- tiny models and tokenizers, written where the snippets look for them ----------------

TEXTS = [
    "transfer learning reuses a pre-trained model for a new task",
    "fine-tuning updates the backbone with a small learning rate",
    "domain adaptation aligns source and target features",
    "a frozen feature extractor feeds a new linear head",
    "low-rank adapters train a few parameters beside frozen weights",
    "the tokenizer must match the checkpoint it came with",
] * 4


def bpe_files(folder: Path, specials: list[str], suffix: str = "") -> tuple[Path, Path]:
    """vocab.json and merges.txt of a byte-level BPE trained on TEXTS."""
    from tokenizers import ByteLevelBPETokenizer

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(TEXTS, vocab_size=400, min_frequency=1, special_tokens=specials)
    folder.mkdir(parents=True, exist_ok=True)
    vocab, merges = bpe.save_model(str(folder))
    return Path(vocab), Path(merges)


def tiny_roberta_tokenizer(folder: Path) -> Any:
    from transformers import RobertaTokenizerFast

    vocab, merges = bpe_files(folder / "bpe", ["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    return RobertaTokenizerFast(vocab=str(vocab), merges=str(merges))


def tiny_bert_tokenizer(folder: Path) -> Any:
    from transformers import BertTokenizerFast

    words = sorted({w for t in TEXTS for w in re.findall(r"\w+|[^\w\s]", t)})
    folder.mkdir(parents=True, exist_ok=True)
    tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]
    return BertTokenizerFast(vocab={token: i for i, token in enumerate(tokens)})


def save_roberta(folder: Path, head: str) -> Any:
    """A two-layer RoBERTa with 32-wide hidden states and a tokenizer, saved as folder."""
    import transformers

    tok = tiny_roberta_tokenizer(folder.parent / (folder.name + "-tok"))
    config = transformers.RobertaConfig(
        vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=520, pad_token_id=tok.pad_token_id,
        bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, num_labels=2)
    model = getattr(transformers, head)(config)
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    return model


def save_bert(folder: Path, head: str, num_labels: int = 3, width: int = 32) -> Any:
    import transformers

    tok = tiny_bert_tokenizer(folder.parent / (folder.name + "-tok"))
    config = transformers.BertConfig(
        vocab_size=len(tok), hidden_size=width, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=2 * width, max_position_embeddings=520, num_labels=num_labels,
        hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    model = getattr(transformers, head)(config)
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    return model


def cache_torchvision_weights(weights: Any, build: Callable[[], Any], torch_home: Path) -> Any:
    """Put random weights of the right shapes where torchvision looks for weights' file."""
    import torch

    checkpoints = torch_home / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True, exist_ok=True)
    model = build()
    state = model.state_dict()
    torch.save(state, checkpoints / weights.url.rsplit("/", 1)[-1])
    return state


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    with inside(tmp_path) as folder:
        yield folder


# ---- one test per snippet ---------------------------------------------------------------


def test_snippet_bbse(workdir):
    require("numpy")
    import numpy as np

    rng = np.random.default_rng(0)
    k, n = 3, 60_000
    p_source, p_target = np.array([0.6, 0.3, 0.1]), np.array([0.2, 0.3, 0.5])
    confusion = np.array([[0.8, 0.1, 0.1], [0.1, 0.7, 0.2], [0.1, 0.2, 0.7]])  # P(pred | Y)

    def sample(prior: Any) -> tuple[Any, Any]:
        y = rng.choice(k, size=n, p=prior)
        pred = np.array([rng.choice(k, p=confusion[label]) for label in y])
        return y, pred

    scope = run("correcting-covariate-and-label-shift")
    y_val, pred_val = sample(p_source)
    _, pred_target = sample(p_target)
    w = scope["bbse_weights"](y_val, pred_val, pred_target, k)
    assert np.allclose(w, p_target / p_source, atol=0.15), w


def test_snippet_layerwise_groups(workdir):
    require("torch")
    import torch
    from torch import nn

    scope = run("layer-freezing-gradual-unfreezing-discriminative-lr")
    blocks = [nn.Linear(4, 4) for _ in range(3)]
    head = nn.Linear(4, 2)
    opt = torch.optim.AdamW(scope["layerwise_groups"](blocks, head, lr_top=1e-4, decay=0.5))
    rates = [group["lr"] for group in opt.param_groups]
    assert rates == pytest.approx([1e-4, 5e-5, 2.5e-5, 1.25e-5])
    # the block nearest the input is the last group, with the smallest rate
    assert opt.param_groups[-1]["params"][0] is blocks[0].weight


def test_snippet_tent(workdir):
    require("torch")
    import torch
    from torch import nn

    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(),
                          nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 4))
    conv_before = model[0].weight.detach().clone()
    # the set-up the card's Extra describes: train mode, only BatchNorm's affines optimised
    model.train()
    model.requires_grad_(False)
    bn = model[1]
    bn.requires_grad_(True)
    opt = torch.optim.SGD([bn.weight, bn.bias], lr=0.5)
    tent_step = run("domain-generalisation-test-time-adaptation")["tent_step"]
    x = torch.randn(16, 3, 8, 8)

    def entropy() -> float:
        p = model(x).softmax(1)
        return float(-(p * p.clamp_min(1e-12).log()).sum(1).mean())

    start = entropy()
    for _ in range(10):
        predictions = tent_step(model, x, opt)
    assert predictions.shape == (16,)
    assert entropy() < start
    assert torch.equal(model[0].weight, conv_before)  # nothing but BatchNorm's affines moved


def test_snippet_dapt(workdir):
    require("torch", "transformers", "datasets")
    import datasets
    from transformers import AutoTokenizer

    save_roberta(workdir / "FacebookAI" / "roberta-base", "RobertaForMaskedLM")
    corpus = datasets.Dataset.from_dict({"text": [" ".join(TEXTS[i:i + 12]) for i in range(12)],
                                         "source": ["papers"] * 12})
    scope = run("domain-task-adaptive-pretraining-dapt-tapt", {"corpus": corpus})
    packed = scope["corpus"]
    tok = scope["tok"]
    total = sum(len(ids) for ids in tok([" ".join(TEXTS[i:i + 12]) for i in range(12)])["input_ids"])
    # packing keeps every full block of 512 tokens: nothing is cut off at a text's end
    assert len(packed) == total // 512 >= 2
    assert {len(ids) for ids in packed["input_ids"]} == {512}
    assert packed.column_names == ["input_ids"]
    # the saved checkpoint brings its tokenizer along
    reloaded = AutoTokenizer.from_pretrained("roberta-tapt")
    assert reloaded("fine-tuning")["input_ids"] == tok("fine-tuning")["input_ids"]
    assert (workdir / "roberta-tapt" / "model.safetensors").exists()


def test_snippet_kd_loss(workdir):
    require("torch")
    import torch
    import torch.nn.functional as F

    kd_loss = run("knowledge-distillation-teacher-student")["kd_loss"]
    torch.manual_seed(0)
    student, teacher = torch.randn(8, 5, requires_grad=True), torch.randn(8, 5)
    labels = torch.randint(0, 5, (8,))
    tau, beta = 3.0, 0.3
    p_teacher = F.softmax(teacher / tau, dim=-1)
    log_student = F.log_softmax(student / tau, dim=-1)
    kl = (p_teacher * (p_teacher.log() - log_student)).sum(-1).mean()
    expected = (1 - beta) * F.cross_entropy(student, labels) + beta * tau**2 * kl
    loss = kd_loss(student, teacher, labels, tau=tau, beta=beta)
    assert torch.allclose(loss, expected, atol=1e-6)
    loss.backward()
    assert student.grad is not None


def test_snippet_resnet_two_stages(workdir):
    require("torch", "torchvision")
    import torch
    from torchvision.models import ResNet50_Weights, resnet50

    cache_torchvision_weights(ResNet50_Weights.DEFAULT, resnet50, workdir / "torch-home")
    scope = run("finetune-resnet-image-classifier-steps", {"num_classes": 5})
    model, opt = scope["model"], scope["opt"]
    assert model.fc.out_features == 5
    trainable = {name for name, p in model.named_parameters() if p.requires_grad}
    assert trainable == {n for n, _ in model.named_parameters() if n.startswith(("fc.", "layer4."))}
    assert [group["lr"] for group in opt.param_groups] == [0.01, 0.001]
    held = {id(p) for group in opt.param_groups for p in group["params"]}
    assert all(id(p) in held for p in model.layer4.parameters())
    layer3 = model.layer3[0].conv1.weight.detach().clone()
    model.train()
    loss = model(scope["preprocess"](torch.rand(2, 3, 256, 256))).logsumexp(1).mean()
    loss.backward()
    opt.step()
    assert torch.equal(model.layer3[0].conv1.weight, layer3)


def test_snippet_batchnorm(workdir):
    require("torch")
    import torch
    from torch import nn

    freeze_batchnorm = run("batchnorm-frozen-backbone-trap")["freeze_batchnorm"]
    backbone = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4),
                             nn.BatchNorm2d(4, affine=False),  # no weight at all
                             nn.Flatten(), nn.LazyLinear(6), nn.BatchNorm1d(6))
    backbone.add_module("sync", nn.SyncBatchNorm(6))
    head = nn.Sequential(nn.Linear(6, 6), nn.BatchNorm1d(6), nn.Linear(6, 2))
    model = nn.Sequential(backbone, head)
    backbone[:6](torch.randn(4, 3, 5, 5))  # materialise the lazy layer
    backbone.requires_grad_(False)
    model.train()
    freeze_batchnorm(backbone)
    norms = [m for m in backbone.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    assert len(norms) == 4 and not any(m.training for m in norms)
    assert head[1].training  # the trainable head's BatchNorm still learns
    stats = norms[0].running_mean.clone()
    backbone[:6](torch.randn(4, 3, 5, 5) * 5 + 3)
    assert torch.equal(norms[0].running_mean, stats)


def test_snippet_keras_batchnorm_in_extra(workdir, monkeypatch):
    require("keras", "torch")
    monkeypatch.setenv("KERAS_HOME", str(workdir / "keras-home"))
    import numpy as np

    scope = run("batchnorm-frozen-backbone-trap", index=1)
    model, base = scope["model"], scope["base"]
    assert not base.trainable and not base.trainable_weights
    x = np.random.default_rng(0).uniform(0, 255, (2, 224, 224, 3)).astype("float32")
    train_out = np.asarray(model(x, training=True).detach().cpu())
    infer_out = np.asarray(model(x, training=False).detach().cpu())
    # frozen BatchNorm runs in inference mode even when the model is called in training mode
    assert np.allclose(train_out, infer_out, atol=1e-5)
    assert train_out.shape == (2, 5)


def test_snippet_bert_trainer(workdir):
    require("torch", "transformers", "datasets")
    import datasets
    import numpy as np

    save_bert(workdir / "google-bert" / "bert-base-uncased", "BertForSequenceClassification")

    def compute_metrics(prediction: Any) -> dict[str, float]:
        predicted = np.argmax(prediction.predictions, axis=-1)
        return {"f1": float((predicted == prediction.label_ids).mean())}

    rows = {"text": TEXTS[:12], "label": [i % 3 for i in range(12)]}
    ds = datasets.DatasetDict({"train": datasets.Dataset.from_dict(rows),
                               "validation": datasets.Dataset.from_dict(rows)})
    scope = run("finetune-bert-text-classification-steps",
                {"ds": ds, "compute_metrics": compute_metrics})
    trainer = scope["trainer"]
    assert scope["steps"] == 3 and trainer.args.warmup_steps == 0  # 6% of 3 steps
    assert trainer.state.global_step == 3
    assert trainer.state.best_metric is not None
    assert scope["model"].classifier.out_features == 3


def test_snippet_input_mismatch(workdir):
    require("torch", "torchvision", "transformers")
    from PIL import Image
    from transformers import BertModel

    save_bert(workdir / "tiny-bert", "BertModel")
    model = BertModel.from_pretrained("tiny-bert")
    rows_before = model.get_input_embeddings().weight.shape[0]
    scope = run("input-mismatch-preprocessing-tokenizer", {
        "pil_img": Image.new("L", (300, 260), color=128), "ckpt": "tiny-bert", "model": model,
        "texts": ["a <gene_x> variant", "fine-tuning " * 600]})
    assert tuple(scope["x"].shape) == (3, 224, 224)
    tok, enc = scope["tok"], scope["enc"]
    assert len(tok) == rows_before + 1 == model.get_input_embeddings().weight.shape[0]
    assert tok.convert_tokens_to_ids("<gene_x>") in enc["input_ids"][0].tolist()
    assert enc["input_ids"].shape[1] == 512  # truncated to BERT's maximum


def test_snippet_lora_config(workdir):
    require("torch", "transformers", "peft")
    save_roberta(workdir / "FacebookAI" / "roberta-base", "RobertaForSequenceClassification")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        scope = run("peft-adapters-lora-prefix-prompt-tuning")
    model = scope["model"]
    trainable = [name for name, p in model.named_parameters() if p.requires_grad]
    # every linear layer of the blocks is adapted, and the new head trains in full
    for layer in ("query", "key", "value", "attention.output.dense", "intermediate.dense"):
        assert any(layer in n and "lora_A" in n for n in trainable), layer
    assert any("classifier" in n and "lora" not in n for n in trainable)
    lora_b = [p for n, p in model.named_parameters() if "lora_B" in n]
    assert lora_b and all(float(p.abs().sum()) == 0 for p in lora_b)  # B starts at zero
    assert "trainable params" in out.getvalue()


def test_snippet_clip_zero_shot(workdir):
    require("torch", "transformers")
    from PIL import Image
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor, CLIPTokenizerFast

    folder = workdir / "openai" / "clip-vit-base-patch32"
    vocab, merges = bpe_files(workdir / "clip-bpe", ["<|startoftext|>", "<|endoftext|>"])
    tokenizer = CLIPTokenizerFast(vocab=str(vocab), merges=str(merges))
    config = CLIPConfig(
        text_config={"vocab_size": len(tokenizer), "hidden_size": 32, "intermediate_size": 64,
                     "num_hidden_layers": 2, "num_attention_heads": 2, "max_position_embeddings": 32,
                     "bos_token_id": tokenizer.bos_token_id, "eos_token_id": tokenizer.eos_token_id},
        vision_config={"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
                       "num_attention_heads": 2, "image_size": 32, "patch_size": 8},
        projection_dim=16)
    CLIPModel(config).save_pretrained(folder)
    processor = CLIPProcessor(image_processor=CLIPImageProcessor(size={"shortest_edge": 32},
                                                                 crop_size=32),
                              tokenizer=tokenizer)
    processor.save_pretrained(folder)
    scope = run("multimodal-transfer-clip-zero-shot-vlm-fine-tuning",
                {"image": Image.new("RGB", (40, 48), color=(200, 30, 30))})
    probs = scope["probs"]
    assert tuple(probs.shape) == (1, 3)
    assert float(probs.sum()) == pytest.approx(1.0, abs=1e-5)


def test_snippet_wise_ft(workdir):
    require("torch")
    import torch
    from torch import nn

    def net() -> nn.Module:
        return nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))

    torch.manual_seed(0)
    zero_shot, fine_tuned, model = net(), net(), net()
    fine_tuned[1].num_batches_tracked += 7
    run("robust-fine-tuning-wise-ft-model-soups-merging",
        {"model": model, "zero_shot": zero_shot, "fine_tuned": fine_tuned})
    middle = (zero_shot[0].weight + fine_tuned[0].weight) / 2
    assert torch.allclose(model[0].weight, middle)
    assert int(model[1].num_batches_tracked) == 7  # integer buffers are copied, not averaged


def test_snippet_chat_template_mask(workdir):
    require("transformers")
    from tokenizers import Regex, Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    specials = ["<|im_start|>", "<|im_end|>", "<|endoftext|>"]
    words = sorted({w for t in TEXTS + ["Name a transfer-learning method. LoRA. user assistant"]
                    for w in re.findall(r"\w+|[^\w\s]", t)} | {"\n"})
    vocab = {token: i for i, token in enumerate(specials + ["[UNK]"] + words)}
    core = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    core.pre_tokenizer = pre_tokenizers.Split(Regex(r"\w+|[^\w\s]|\n"), behavior="isolated")
    tok = PreTrainedTokenizerFast(tokenizer_object=core, unk_token="[UNK]",
                                  eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                  additional_special_tokens=specials[:1])
    tok.chat_template = (
        "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
        "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
    tok.save_pretrained(workdir / "Qwen" / "Qwen2.5-0.5B-Instruct")
    scope = run("llm-fine-tuning-chat-templates-memory")
    ids, labels, n_prompt = scope["ids"], scope["labels"], scope["n_prompt"]
    assert len(labels) == len(ids) and labels[:n_prompt] == [-100] * n_prompt
    learned = tok.decode([t for t in labels if t != -100])
    assert learned.replace(" ", "").startswith("LoRA.")  # only the answer is learned
    assert "<|im_end|>" in learned  # with the end marker, so the model learns to stop


def test_snippet_detector_head(workdir):
    require("torch", "torchvision")
    from torchvision.models.detection import FasterRCNN_ResNet50_FPN_V2_Weights, fasterrcnn_resnet50_fpn_v2

    state = cache_torchvision_weights(
        FasterRCNN_ResNet50_FPN_V2_Weights.DEFAULT,
        lambda: fasterrcnn_resnet50_fpn_v2(weights=None, weights_backbone=None),
        workdir / "torch-home")
    scope = run("transfer-detection-segmentation", {"num_classes": 3})
    model = scope["model"]
    predictor = model.roi_heads.box_predictor
    assert predictor.cls_score.out_features == 4 and predictor.bbox_pred.out_features == 16
    key = "backbone.body.layer1.0.conv1.weight"
    assert model.state_dict()[key].equal(state[key])  # the detector's weights were loaded


def test_snippet_wav2vec2_ctc(workdir):
    require("torch", "transformers")
    from transformers import Wav2Vec2Config, Wav2Vec2ForCTC

    letters = list("abcdefghijklmnopqrstuvwxyz'")
    vocab = {"[PAD]": 0, "[UNK]": 1, "|": 2, **{c: i + 3 for i, c in enumerate(letters)}}
    (workdir / "vocab.json").write_text(json.dumps(vocab))
    config = Wav2Vec2Config(vocab_size=32, hidden_size=32, num_hidden_layers=2,
                            num_attention_heads=2, intermediate_size=64,
                            conv_dim=(16, 16), conv_stride=(5, 2), conv_kernel=(10, 3),
                            num_conv_pos_embeddings=16, num_conv_pos_embedding_groups=2)
    Wav2Vec2ForCTC(config).save_pretrained(workdir / "facebook" / "wav2vec2-base")
    scope = run("speech-transfer-wav2vec2-hubert-whisper")
    tok, model = scope["tok"], scope["model"]
    # [PAD] and [UNK] come from vocab.json, not appended: the CTC blank (the pad id) is [PAD]
    assert tok.pad_token_id == model.config.pad_token_id == vocab["[PAD]"]
    assert tok.unk_token_id == vocab["[UNK]"] and tok.word_delimiter_token_id == vocab["|"]
    assert model.lm_head.out_features == len(tok)
    assert not any(p.requires_grad for p in model.wav2vec2.feature_extractor.parameters())


def test_snippet_overfit_one_batch(workdir):
    require("torch", "transformers")
    import torch

    torch.manual_seed(0)
    model = save_bert(workdir / "tiny-bert", "BertForSequenceClassification", width=256)
    tok = tiny_bert_tokenizer(workdir / "tiny-bert-tok")
    batch = dict(tok(TEXTS[:6], padding=True, return_tensors="pt"))
    batch["labels"] = torch.tensor([0, 1, 2, 0, 1, 2])
    batch.pop("token_type_ids")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        run("debug-underperforming-fine-tuned-model", {"model": model, "train_loader": [batch]})
    assert float(out.getvalue()) < 0.05  # the pipeline can learn: it overfits one batch


def test_snippet_merge_lora(workdir):
    require("torch", "transformers", "peft")
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tok = tiny_roberta_tokenizer(workdir / "llm-tok")
    config = LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64,
                         num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=2,
                         max_position_embeddings=64)
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(workdir / "org" / "base-model")
    tok.save_pretrained(workdir / "org" / "base-model")
    adapted = get_peft_model(LlamaForCausalLM.from_pretrained("org/base-model"),
                             LoraConfig(r=4, lora_alpha=8, target_modules="all-linear",
                                        task_type="CAUSAL_LM"))
    for name, p in adapted.named_parameters():
        if "lora_B" in name:
            torch.nn.init.normal_(p, std=0.05)  # a trained adapter is not zero
    adapted.save_pretrained(workdir / "org" / "my-lora-adapter")
    ids = torch.tensor([tok("fine-tuning updates the backbone")["input_ids"]])
    expected = adapted.to(torch.bfloat16)(ids).logits.float()

    run("deploying-fine-tuned-models")
    merged = AutoModelForCausalLM.from_pretrained("merged-model")
    assert merged.dtype == torch.bfloat16  # merged and saved in 16-bit
    assert not any("lora" in name for name, _ in merged.named_parameters())
    assert torch.allclose(merged(ids).logits.float(), expected, atol=0.05)
    assert AutoTokenizer.from_pretrained("merged-model")("LoRA")["input_ids"] == tok("LoRA")["input_ids"]

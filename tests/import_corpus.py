"""What each file of tests/data/import/ holds, written by hand from the files themselves."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "data" / "import"


@dataclass(frozen=True)
class Expected:
    layout: str
    sections: tuple[str, ...]
    questions: tuple[str, ...]  # as the Question field reads, without Markdown marks
    left_out: tuple[int, ...]  # line numbers listed as in no card


EXPECTED: dict[str, Expected] = {
    "native-optimizers.md": Expected(
        "native", ("Optimizers",),
        ("What does momentum add to plain SGD?", "Why does Adam keep two moving averages?"),
        (6,)),
    "native-regularisation.md": Expected(
        "native", ("Regularisation",),
        ("What does weight decay penalise?", "What does dropout do at test time?"), ()),
    "headings-ml-basics.md": Expected(
        "headings", ("Fundamentals", "Model Evaluation"),
        ("What is the difference between supervised and unsupervised learning?",
         "What is overfitting?", "Why is accuracy a poor metric for imbalanced data?",
         "How do you compute the F1 score?"),
        (1, 3, 4, 6, 8, 10, 11, 20, 33)),
    "headings-deep-learning.md": Expected(
        "headings", ("Deep Learning",),
        ("What is a vanishing gradient?", "Why do we use batch normalization?",
         "Explain the role of a learning-rate warm-up.", "What is gradient clipping?"), ()),
    "headings-python.md": Expected(
        "headings", ("Python Interview Questions",),
        ("What is the difference between a list and a tuple?", "What does the with statement do?",
         "How are default arguments evaluated?"), (29, 31)),
    "numbered-statistics.md": Expected(
        "numbered", ("Statistics Questions",),
        ("What is a p-value?", "What is the central limit theorem?",
         "Why do we use a t-test instead of a z-test?"), (3,)),
    "numbered-sql.md": Expected(
        "numbered", ("Joins", "Aggregation"),
        ("What is the difference between an INNER JOIN and a LEFT JOIN?",
         "When does a join produce more rows than either table?",
         "What is the difference between WHERE and HAVING?"), (1,)),
    "numbered-probability.md": Expected(  # CRLF line endings
        "numbered", ("Basics", "Distributions"),
        ("What is conditional probability?",
         "What does it mean for two events to be independent?",
         "Which distribution counts successes in $n$ independent trials?"), (1,)),
    "list-docker.md": Expected(
        "list", ("Docker",),
        ("What is the difference between an image and a container?",
         "What does a multi-stage build save?"), (20, 22)),
    "details-kubernetes.md": Expected(
        "details", ("Kubernetes",), ("What is a Pod?", "What does a Deployment manage?"), ()),
    "bold-statistics-theory.md": Expected(
        "bold", ("Sampling", "Testing"),
        ("What is selection bias? 👶",
         "What is the difference between stratified and cluster sampling? ⭐",
         "Why is a 95 % confidence interval not a 95 % probability that the parameter is "
         "inside? 🚀"), (1, 3, 5, 6, 8, 17, 24)),
    "bold-security.md": Expected(
        "bold", ("Web security questions",),
        ("What is cross-site scripting (XSS)?", "How does a CSRF token protect a form?",
         "What does the SameSite cookie attribute do?"), ()),
    "qa-linux-faq.md": Expected(
        "qa", ("Processes", "Files"),
        ("What is a zombie process?", "How do you find which process listens on a port?",
         "What is an inode?"), (1, 3)),
    "qa-networking.md": Expected(
        "qa", ("Networking Q&A",),
        ("What does TCP's three-way handshake exchange?", "Why does DNS mostly use UDP?"), ()),
    "list-nlp.md": Expected(
        "list", ("Basics", "Models"),
        ("What is tokenization?", "What is the difference between stemming and lemmatization?",
         "Why does a transformer need positional encodings?", "What does BPE learn?"),
        (1, 3, 27)),
    "list-git.md": Expected(
        "list", ("Git questions",),
        ("What is the difference between git merge and git rebase?", "What does git stash do?",
         "How do you undo the last commit but keep its changes?"), ()),
    "details-cloud.md": Expected(
        "details", ("Compute", "Storage"),
        ("What is the difference between horizontal and vertical scaling?",
         "What is a container?", "What is eventual consistency?"), (1, 3)),
    "details-javascript.md": Expected(
        "details", ("JavaScript Questions",),
        ("What is the output?", "What does === compare?",
         "Why is this undefined inside a detached method?"), (17, 28)),
}

LAYOUT_NAMES = ("native", "numbered", "headings", "details", "list", "bold", "qa")


def corpus_files(layout: str | None = None) -> list[Path]:
    """The corpus files, all or those written in one layout."""
    return [CORPUS / name for name, e in sorted(EXPECTED.items())
            if layout is None or e.layout == layout]

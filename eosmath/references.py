"""The papers the catalog models and the theorem checks come from, cited in one place.

Models (``eosmath models``), checks (``eosmath verify --list``), the report and the notebooks
cite these, by authors, venue and arXiv id, with the section, theorem or equation after it.

>>> cite("zhu2023", "Theorem 1").split(", ")[-3:]
['ICLR 2023', 'arXiv:2210.03294', 'Theorem 1']
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    """One cited work."""

    authors: str
    title: str
    venue: str
    arxiv: str = ""

    def __str__(self) -> str:
        parts = [self.authors, f"'{self.title}'", self.venue]
        if self.arxiv:
            parts.append(f"arXiv:{self.arxiv}")
        return ", ".join(parts)


REFERENCES = {
    "ahn2023": Reference("Ahn, Bubeck, Chewi, Lee, Suarez & Zhang",
                         "Learning threshold neurons via the edge of stability", "NeurIPS 2023",
                         "2212.07469"),
    "damian2023": Reference("Damian, Nichani & Lee",
                            "Self-stabilization: the implicit bias of gradient descent at the "
                            "edge of stability", "ICLR 2023", "2209.15594"),
    "liu2025": Reference("Liu, Zhang, Du & Zhao",
                         "A minimalist example of edge-of-stability and progressive sharpening",
                         "NeurIPS 2025", "2503.02809"),
    "blog2025": Reference("anonymous blog post", "What is Edge of Stability?",
                          "8 September 2025"),
    "shallow_relu": Reference("anonymous authors",
                              "Exploring the edge of stability: insights from a fine-grained "
                              "analysis of gradient descent in shallow ReLU networks",
                              "ICLR submission under double-blind review"),
    "cohen2021": Reference("Cohen, Kaur, Li, Kolter & Talwalkar",
                           "Gradient descent on neural networks typically occurs at the edge of "
                           "stability", "ICLR 2021", "2103.00065"),
    "cohen2025": Reference("Cohen, Damian, Talwalkar, Kolter & Lee",
                           "Understanding optimization in deep learning with central flows",
                           "ICLR 2025", "2410.24206"),
    "zhu2023": Reference("Zhu, Wang, Wang, Zhou & Ge",
                         "Understanding edge-of-stability training dynamics with a minimalist "
                         "example", "ICLR 2023", "2210.03294"),
    "kreisler2023": Reference("Kreisler, Nacson, Soudry & Carmon",
                              "Gradient descent monotonically decreases the sharpness of gradient "
                              "flow solutions in scalar networks and beyond", "ICML 2023",
                              "2305.13064"),
}


def cite(key: str, where: str = "") -> str:
    """The citation of ``key`` (see :data:`REFERENCES`), followed by ``where`` in the paper."""
    text = str(REFERENCES[key])
    return f"{text}, {where}" if where else text

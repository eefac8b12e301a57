r"""Unicode prose as LaTeX text mode, for every document eosmath writes (derivations, report).

Specials are escaped and unicode symbols become LaTeX commands, so the output is pure ASCII and
compiles with plain pdflatex; a character without a mapping prints as ``[U+XXXX]`` instead of
breaking the build.

>>> print(latex_escape("η ≤ 1%"))
\ensuremath{\eta} \ensuremath{\leq} 1\%
"""

from __future__ import annotations

import unicodedata

_ASCII = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "$": r"\$",
          "%": r"\%", "&": r"\&", "_": r"\_", "~": r"\textasciitilde{}",
          "^": r"\textasciicircum{}", "<": r"\textless{}", ">": r"\textgreater{}",
          "|": r"\textbar{}", "\n": " "}

_TEXT = {"–": "--", "—": "---", "“": "``", "”": "''", "‘": "`", "’": "'", "…": r"\dots{}",
         "§": r"\S{}", "†": r"\dag{}", "‡": r"\ddag{}", "\u00a0": "~", "°": r"\ensuremath{^\circ}"}

_GREEK = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi "
          "rho varsigma sigma tau upsilon phi chi psi omega").split()
_MATH = {chr(0x3B1 + i): "\\" + name for i, name in enumerate(_GREEK) if name != "omicron"}
_MATH["ο"] = "o"
_MATH.update({"ε": r"\varepsilon", "ϵ": r"\epsilon", "ϕ": r"\phi", "φ": r"\varphi",
              "Γ": r"\Gamma", "Δ": r"\Delta", "Θ": r"\Theta", "Λ": r"\Lambda", "Ξ": r"\Xi",
              "Π": r"\Pi", "Σ": r"\Sigma", "Φ": r"\Phi", "Ψ": r"\Psi", "Ω": r"\Omega",
              "±": r"\pm", "·": r"\cdot", "×": r"\times", "÷": r"\div", "½": r"\frac{1}{2}",
              "¼": r"\frac{1}{4}", "∏": r"\prod", "∑": r"\sum", "∘": r"\circ", "√": r"\surd",
              "∞": r"\infty", "≈": r"\approx", "≠": r"\neq", "≡": r"\equiv", "≤": r"\leq",
              "≥": r"\geq", "≪": r"\ll", "≫": r"\gg", "∼": r"\sim", "∝": r"\propto",
              "⌈": r"\lceil", "⌉": r"\rceil", "⌊": r"\lfloor", "⌋": r"\rfloor",
              "⟨": r"\langle", "⟩": r"\rangle", "‖": r"\|", "∥": r"\|", "→": r"\to",
              "←": r"\leftarrow", "↦": r"\mapsto", "⇒": r"\Rightarrow", "⇔": r"\Leftrightarrow",
              "↔": r"\leftrightarrow", "∇": r"\nabla", "∂": r"\partial", "∫": r"\int",
              "∈": r"\in", "∉": r"\notin", "⊂": r"\subset", "⊆": r"\subseteq", "∪": r"\cup",
              "∩": r"\cap", "∀": r"\forall", "∃": r"\exists", "−": "-", "∗": "*",
              "ℓ": r"\ell", "ℝ": r"\mathbf{R}", "⊤": r"\top", "ᵀ": r"^{\top}", "⁺": "^{+}",
              "⁻": "^{-}", "ᵢ": "_{i}", "ⱼ": "_{j}", "ₖ": "_{k}", "ₙ": "_{n}", "ₜ": "_{t}",
              "ⁿ": "^{n}", "ⁱ": "^{i}", "ᵏ": "^{k}", "₊": "_{+}", "₋": "_{-}", "∓": r"\mp",
              "≲": r"\lesssim", "⊥": r"\perp", "⁗": "''" + "''", "𝒮": r"\mathcal{S}",
              "²": "^{2}", "³": "^{3}", "¹": "^{1}"})
_MATH.update({chr(0x2070 + d): "^{%d}" % d for d in (0, 4, 5, 6, 7, 8, 9)})
_MATH.update({chr(0x2080 + d): "_{%d}" % d for d in range(10)})

# combining mark -> (math accent, text accent)
_ACCENTS = {"\u0302": (r"\hat", r"\^"), "\u0307": (r"\dot", r"\."), "\u0303": (r"\tilde", r"\~"),
            "\u0304": (r"\bar", r"\="), "\u0301": (r"\acute", r"\'"),
            "\u0300": (r"\grave", r"\`"), "\u0308": (r"\ddot", r"\"")}


def _char(ch: str) -> tuple[str, bool]:
    """(LaTeX for one base character, whether it is math)."""
    if ch in _ASCII:
        return _ASCII[ch], False
    if ch in _TEXT:
        return _TEXT[ch], False
    if ch in _MATH:
        return _MATH[ch], True
    if ch.isascii():
        return ch, False
    return r"\texttt{[U+%04X]}" % ord(ch), False  # visible, never a LaTeX error


def latex_escape(text) -> str:
    """``text`` as LaTeX for text mode: specials escaped, unicode symbols as commands (ASCII)."""
    out = []
    for ch in unicodedata.normalize("NFD", str(text)):
        accent = _ACCENTS.get(ch)
        if accent is None and unicodedata.category(ch).startswith("M"):
            continue  # an unknown combining mark is dropped rather than breaking the build
        if accent is not None:
            body, is_math = out[-1] if out else ("", False)  # a lone mark: the bare accent
            out[-1:] = [(f"{accent[0]}{{{body}}}", True) if is_math else
                         (f"{accent[1]}{{{body}}}", False)]
            continue
        out.append(_char(ch))
    return "".join(f"\\ensuremath{{{body}}}" if is_math else body for body, is_math in out)

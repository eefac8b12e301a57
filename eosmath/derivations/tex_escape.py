r"""Unicode prose as LaTeX text mode, for every document eosmath writes (derivations, report).

Specials are escaped and unicode symbols become LaTeX commands, so the output is pure ASCII and
compiles with plain pdflatex; a character without a mapping prints as ``[U+XXXX]`` instead of
breaking the build.

>>> print(latex_escape("η ≤ 1%"))
\ensuremath{\eta} \ensuremath{\leq} 1\%

Prose about mathematics (a check's statement) writes subscripts and superscripts the plain-text
way, ``θ_t``, ``λ_max``, ``d_j^t``, ``e^{−ηI}``; with ``scripts=True`` they are typeset as math,
while identifiers (``shallow_relu.phases``, ``digits_eos``) keep their underscores:

>>> print(latex_escape("θ_t, λ_max, digits_eos", scripts=True))
\ensuremath{\theta_{t}}, \ensuremath{\lambda_{\mathrm{max}}}, digits\_eos
"""

from __future__ import annotations

import re
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


# A plain-text subscript: a one-letter base (Greek or Latin, accents and a trailing *, ' or †
# allowed; ∇, ℓ, ∏, ∑, ∫) that does not end a longer word or a dotted name, "_", then {…} or
# 1–5 letters and digits, optionally followed by its superscript (^{…}, ^t or unicode ²);
# nothing word-like may follow. The other case: "^" after any visible character, then {…} or
# a short token, optionally followed by a subscript (S^⊥_t).
_SUB_CHARS = "A-Za-z0-9\u0370-\u03ff\u2080-\u2089"
_SUP_CHARS = "".join(ch for ch, tex in _MATH.items() if tex.startswith("^{"))
_BRACED = r"\{[^{}]{1,30}\}"
_SUB = rf"{_BRACED}|[{_SUB_CHARS}]{{1,5}}"
_SUP = rf"{_BRACED}|[-−]?[A-Za-z0-9]{{1,3}}|[\u0370-\u03ff⊥⊤*†]"
_SCRIPT = re.compile(
    rf"(?<![A-Za-z_.'\u0300-\u036f])"
    rf"(?P<base>[A-Za-z\u0370-\u03ff∇ℓ∏∑∫][\u0300-\u036f]*[*'†]?)_(?P<sub>{_SUB})"
    rf"(?:\^(?P<sup>{_SUP})|(?P<usup>[{_SUP_CHARS}]+))?(?!\w)"
    rf"|(?<=\S)\^(?P<alone>{_SUP})(?:_(?P<alone_sub>{_SUB}))?(?!\w)")
_SCRIPT_ASCII = set("0123456789+-=,./()|<>!*' ")


def _math_text(token: str) -> str | None:
    """LaTeX math for a script's text (braces stripped); None when a character has no math
    form (the script is then left as plain text)."""
    if token.startswith("{"):
        token = token[1:-1]
    out = []
    for run in re.findall(r"[A-Za-z]+|.", token):
        if run.isascii() and run.isalpha():
            out.append(rf"\mathrm{{{run}}}" if len(run) > 1 else run)
        elif run in _SCRIPT_ASCII:
            out.append(r"\ " if run == " " else run)
        elif run in _MATH and not _MATH[run].startswith(("^", "_")):
            out.append(_MATH[run] + " " if _MATH[run][-1].isalpha() else _MATH[run])
        elif run in _MATH:  # a unicode sub/superscript digit inside a script
            out.append("{}" + _MATH[run])
        elif run in "†⊥⊤":
            out.append({"†": r"\dagger ", "⊥": r"\perp ", "⊤": r"\top "}[run])
        else:
            return None
    return "".join(out).strip()


def _math_base(base: str) -> str | None:
    suffix = {"*": "^{*}", "'": "'", "†": r"^{\dagger}"}.get(base[-1], "")
    core = base[:-1] if suffix else base
    body = _MATH.get(core[0], core[0] if core[0].isascii() else None)
    if body is None:
        return None
    for mark in core[1:]:
        if mark not in _ACCENTS:
            return None
        body = f"{_ACCENTS[mark][0]}{{{body}}}"
    return body + suffix


def _script(match: re.Match) -> str | None:
    r"""``\ensuremath{…}`` for one matched script, or None to leave the text as it is."""
    if match["alone"] is not None:
        sup = _math_text(match["alone"])
        sub = _math_text(match["alone_sub"]) if match["alone_sub"] is not None else ""
        if sup is None or sub is None:
            return None
        return rf"\ensuremath{{^{{{sup}}}" + (f"_{{{sub}}}" if sub else "") + "}"
    base, sub = _math_base(match["base"]), _math_text(match["sub"])
    if base is None or sub is None:
        return None
    sup = (_math_text(match["sup"]) if match["sup"] is not None else
           "".join(_MATH[ch][2:-1] for ch in match["usup"]) if match["usup"] else "")
    if sup is None:
        return None
    if sup and match["base"][-1] in "*'†":  # x*_0², x'_0²: the base already has a ^
        return rf"\ensuremath{{{base}_{{{sub}}}{{}}^{{{sup}}}}}"
    return rf"\ensuremath{{{base}_{{{sub}}}" + (f"^{{{sup}}}" if sup else "") + "}"


def latex_escape(text, scripts: bool = False) -> str:
    """``text`` as LaTeX for text mode: specials escaped, unicode symbols as commands (ASCII).

    ``scripts=True``: plain-text sub- and superscripts (``θ_t``, ``λ_max``, ``x^{2}``) are
    typeset as math (see the module docstring); identifiers keep their underscores.
    """
    text = unicodedata.normalize("NFD", str(text))
    if not scripts:
        return _escape(text)
    out, start = [], 0
    for match in _SCRIPT.finditer(text):
        typeset = _script(match)
        if typeset is not None:
            out += [_escape(text[start:match.start()]), typeset]
            start = match.end()
    out.append(_escape(text[start:]))
    return "".join(out)


def _escape(text: str) -> str:
    out = []
    for ch in text:
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

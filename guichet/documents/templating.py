"""The restricted template language of acts: Jinja's sandbox with a fixed set of tags, in a text
written in a small Markdown subset (titles, emphasis, lists, line breaks).

    Madame, Monsieur {{ usager.nom_complet }},
    Votre dossier n°{{ dossier.numero }} déposé le {{ dossier.date_depot }} est **accepté**.
    Surface déclarée : {{ reponse("surface") }}
    {% if decision.motivation %}Motif : {{ decision.motivation }}{% endif %}

Everything is checked when the administrator saves the template (`template_check`): the syntax, each
tag and each field named by `reponse(...)`, then a rendering on a sample dossier; each problem is
reported with its line, so that generating an act never meets a template error. Values are
inserted as text (their Markdown characters escaped) and raw HTML never passes."""

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.visitor import NodeTransformer
from markdown_it import MarkdownIt

from .template_limits import (
    TemplateTooCostly,
    binop_checked,
    bounded,
    bounded_iteration,
    join_checked,
    render_budget,
    step,
    sum_checked,
)

# The tags an administrator may use, and what each one gives (shown beside the editor).
NAMESPACES: dict[str, dict[str, str]] = {
    "dossier": {
        "numero": "le numéro du dossier",
        "date_depot": "la date de dépôt (réception) du dossier",
        "date_decision": "la date de la décision",
        "etat": "l’état du dossier",
    },
    "demarche": {"titre": "le titre de la démarche"},
    "administration": {
        "nom": "l’administration (le service) chargée du dossier",
        "adresse": "son adresse postale",
        "rattachement": "les administrations dont elle dépend",
    },
    "groupe": {"nom": "le groupe instructeur chargé du dossier"},
    "usager": {
        "prenom": "le prénom du demandeur",
        "nom": "le nom du demandeur",
        "nom_complet": "le prénom et le nom du demandeur",
        "courriel": "l’adresse électronique du demandeur",
    },
    "delai": {
        "jours": "le délai d’instruction, en jours (vide s’il n’y en a pas)",
        "date_limite": "la date à laquelle il expire",
        "silence": "« vaut accord », « vaut rejet » ou vide : ce que vaut le silence à son terme",
        "accord_implicite": "vrai si le silence vaut accord",
        "rejet_implicite": "vrai si le silence vaut rejet",
    },
    "decision": {
        "date": "la date de la décision",
        "motivation": "la motivation de la décision",
        "implicite": "vrai si la décision est implicite (silence de l’administration)",
    },
    "signataire": {"nom": "le nom du signataire", "qualite": "sa qualité (titre, fonction)"},
}
SCALARS: dict[str, str] = {
    "date_acte": "la date de l’acte",
    "motivation": "la motivation de la décision (comme decision.motivation)",
}
FUNCTIONS: dict[str, str] = {"reponse": 'reponse("identifiant") : la réponse donnée à un champ du formulaire'}
_ALLOWED_NAMES = set(NAMESPACES) | set(SCALARS) | set(FUNCTIONS) | {"loop", "range", "true", "false", "none"}


@dataclass(frozen=True)
class TemplateProblem:
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"ligne {self.line} : {self.message}" if self.line else self.message


class TemplateInvalid(ValueError):
    """The template cannot be saved: `problems` says why, each with its line."""

    def __init__(self, problems: list[TemplateProblem]):
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]()#+\-.!<>{}|~])")


def markdown_escape(value: Any) -> str:
    """A value inserted in the text, as text: its Markdown characters are escaped (backslashes that
    the Markdown renderer removes), so that an answer cannot format or link anything."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(value))


# Jinja's filters that cannot make a text or a list much larger than what they are given (no
# `center`, `indent`, `wordwrap`, `format`, `replace`...); `join` and `sum` are checked first.
FILTERS = (
    "abs", "batch", "capitalize", "count", "d", "default", "dictsort", "first", "float", "groupby", "int",
    "items", "last", "length", "list", "lower", "map", "max", "min", "reject", "rejectattr", "reverse",
    "round", "select", "selectattr", "slice", "sort", "string", "striptags", "title", "trim", "truncate",
    "unique", "upper", "wordcount",
)  # fmt: skip
_CHECKED_FILTERS = {"join": join_checked, "sum": sum_checked}
# The methods of a text a template may call: none makes it longer.
_STR_METHODS = {
    "capitalize", "casefold", "count", "endswith", "find", "isalpha", "isdigit", "lower", "lstrip",
    "partition", "removeprefix", "removesuffix", "rstrip", "split", "splitlines", "startswith", "strip",
    "swapcase", "title", "upper",
}  # fmt: skip


def _bounded_filter(function: Callable) -> Callable:
    @functools.wraps(function)  # keeps Jinja's pass_context marks
    def checked(*args, **kwargs):
        step()
        return bounded(function(*args, **kwargs))

    return checked


class _ActEnvironment(ImmutableSandboxedEnvironment):
    """No loader (no include, import or extends), strict about unknown names, values escaped, and
    every rendering within its budget (template_limits.py): operators, calls and filters checked,
    loops counted."""

    intercepted_binops = frozenset({"*", "+", "**", "%"})

    def __init__(self):
        super().__init__(
            undefined=StrictUndefined, finalize=markdown_escape, autoescape=False, keep_trailing_newline=True
        )
        self.filters = {name: _bounded_filter(self.filters[name]) for name in FILTERS}
        self.filters |= {name: _bounded_filter(function) for name, function in _CHECKED_FILTERS.items()}
        self.filters |= {"_bounded_iteration": bounded_iteration, "_bounded": bounded}

    def call_binop(self, context, operator, left, right):
        return binop_checked(operator, left, right)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's signature)
        step()
        return bounded(super().call(__context, __obj, *args, **kwargs))

    def is_safe_attribute(self, obj, attr, value):
        if isinstance(obj, str) and attr not in _STR_METHODS:
            return False
        return super().is_safe_attribute(obj, attr, value)


class _Bounded(NodeTransformer):
    """Every loop's sequence counted turn by turn, every `~` concatenation checked."""

    def visit_For(self, node):
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, "_bounded_iteration", [], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node):
        self.generic_visit(node)
        return nodes.Filter(node, "_bounded", [], [], None, None, lineno=node.lineno)


ENVIRONMENT = _ActEnvironment()

_MARKDOWN = MarkdownIt("zero", {"html": False, "breaks": True, "linkify": False, "typographer": False})
_MARKDOWN.enable(["heading", "emphasis", "list", "newline", "hr", "escape"])

_SYNTAX_MESSAGES = (
    (
        "unexpected end of template",
        "le modèle se termine alors qu’un bloc n’est pas fermé ({% endif %}, {% endfor %}…)",
    ),
    ("unexpected '}'", "accolade fermante inattendue"),
    ("unexpected char", "caractère inattendu"),
    ("expected token 'end of print statement'", "une balise {{ … }} est mal fermée"),
    ("expected token 'end of statement block'", "une instruction {% … %} est mal fermée"),
    ("Encountered unknown tag", "instruction inconnue"),
    ("unexpected 'end of template'", "le modèle se termine au milieu d’une balise"),
)


def _syntax_message(error: TemplateSyntaxError) -> str:
    text = error.message or str(error)
    for english, french in _SYNTAX_MESSAGES:
        if english.lower() in text.lower():
            return f"erreur de syntaxe : {french} ({text})"
    return f"erreur de syntaxe : {text}"


def template_check(body: str, *, field_ids: Iterable[str], sample: dict[str, Any]) -> None:
    """Check an act's template; raises TemplateInvalid with every problem found, each with its line.

    `field_ids` are the fields that `reponse(...)` may name; `sample` is a context like the real
    ones (documents/content.py), on which the template must render without error."""
    try:
        tree = ENVIRONMENT.parse(body)
    except TemplateSyntaxError as error:
        raise TemplateInvalid([TemplateProblem(error.lineno, _syntax_message(error))]) from None
    problems = _tree_problems(tree, set(field_ids))
    if problems:
        raise TemplateInvalid(problems)
    try:
        template_render(body, sample)
    except Exception as error:  # anything the sample meets, the real dossiers could meet
        raise TemplateInvalid([TemplateProblem(_template_line(error), _runtime_message(error))]) from None


def _tree_problems(tree: nodes.Template, field_ids: set[str]) -> list[TemplateProblem]:
    problems: list[TemplateProblem] = []
    assigned = {node.name for node in tree.find_all(nodes.Name) if node.ctx in ("store", "param")}
    for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
        problems.append(TemplateProblem(node.lineno, "inclure ou importer un autre modèle n’est pas permis"))
    for node in tree.find_all(nodes.Name):
        if node.ctx == "load" and node.name not in _ALLOWED_NAMES and node.name not in assigned:
            problems.append(TemplateProblem(node.lineno, f"balise inconnue « {node.name} »{_did_you_mean(node.name)}"))
    for node in tree.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name) and node.node.name in NAMESPACES and node.node.name not in assigned:
            known = NAMESPACES[node.node.name]
            if node.attr not in known:
                problems.append(
                    TemplateProblem(
                        node.lineno,
                        f"« {node.node.name}.{node.attr} » n’existe pas ; possibles : "
                        + ", ".join(f"{node.node.name}.{name}" for name in known),
                    )
                )
    for node in tree.find_all(nodes.Call):
        if isinstance(node.node, nodes.Name) and node.node.name == "reponse":
            argument = node.args[0] if len(node.args) == 1 and not node.kwargs else None
            if not isinstance(argument, nodes.Const) or not isinstance(argument.value, str):
                problems.append(
                    TemplateProblem(node.lineno, "reponse(…) attend l’identifiant d’un champ entre guillemets")
                )
            elif argument.value not in field_ids:
                problems.append(TemplateProblem(node.lineno, f"le formulaire n’a pas de champ « {argument.value} »"))
    for node in tree.find_all(nodes.Filter):
        if node.name not in FILTERS and node.name not in _CHECKED_FILTERS:
            problems.append(TemplateProblem(node.lineno, f"le filtre « {node.name} » n’est pas permis"))
    for node in tree.find_all(nodes.For):
        if node.recursive:
            problems.append(TemplateProblem(node.lineno, "les boucles récursives ne sont pas permises"))
    problems.sort(key=lambda problem: problem.line or 0)
    return problems


def _did_you_mean(name: str) -> str:
    import difflib  # noqa: PLC0415

    close = difflib.get_close_matches(name, sorted(set(NAMESPACES) | set(SCALARS) | set(FUNCTIONS)), n=1)
    return f" (vouliez-vous dire « {close[0]} » ?)" if close else ""


def _template_line(error: BaseException) -> int | None:
    # Jinja rewrites tracebacks so that the template's frames carry its line numbers.
    traceback, line = error.__traceback__, None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == "<template>":
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def _runtime_message(error: BaseException) -> str:
    if isinstance(error, TemplateTooCostly):
        return str(error)
    if isinstance(error, SecurityError):
        return f"opération non permise : {error}"
    name = type(error).__name__
    if name == "UndefinedError":
        return f"valeur inconnue : {error}"
    return f"{name} : {error}"


def template_render(body: str, context: dict[str, Any]) -> str:
    """The template's Markdown text for one context; TemplateTooCostly when it goes over its
    budget (template_limits.py), whose bounds the engine checks as it renders."""
    with render_budget() as budget:
        template = ENVIRONMENT.from_string(_Bounded().visit(ENVIRONMENT.parse(body)))
        chunks = []
        for chunk in template.generate(context):
            budget.produced(chunk)
            chunks.append(chunk)
        return "".join(chunks)


def markdown_html(text: str) -> str:
    """The HTML of a rendered template (markdown-it escapes every text; raw HTML is disabled)."""
    return _MARKDOWN.render(text)


def template_html(body: str, context: dict[str, Any]) -> str:
    return markdown_html(template_render(body, context))


def answer_function(lookup: Callable[[str], str]) -> Callable[[str], str]:
    """The `reponse("id")` of a context."""

    def reponse(field_id: str) -> str:
        return lookup(str(field_id))

    return reponse

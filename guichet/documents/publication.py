"""The acts' part of a procedure's publication checks (procedures/readiness.py): connected to the
`publication_checks_asked` hook in DocumentsConfig.ready()."""

from guichet.dossiers.models import ActKind
from guichet.procedures.readiness import PublicationCheck

from .models import ActTemplate


def act_publication_checks(*, procedure, checks: list[PublicationCheck]) -> None:
    """Warn about the acts that will use the default texts, and those signed by nobody named."""
    written = {template.kind: template for template in ActTemplate.objects.filter(procedure=procedure)}
    # The quittance (a fee's payment) keeps its default text: the builder does not offer it.
    defaults = [str(kind.label).lower() for kind in ActKind if kind not in written and kind != ActKind.QUITTANCE]
    if defaults:
        checks.append(
            PublicationCheck(
                "Ces actes utiliseront le texte par défaut, sans signataire : " + ", ".join(defaults) + ".",
                where="acts",
            )
        )
    unsigned = [str(ActKind(kind).label).lower() for kind, template in written.items() if not template.signatory_name]
    if unsigned:
        checks.append(
            PublicationCheck("Ces actes n’indiquent pas de signataire : " + ", ".join(unsigned) + ".", where="acts")
        )

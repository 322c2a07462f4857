"""The panorama of major digital projects, as the state publishes it: projects (not procedures), kept
up to date by a steering team, and dated editions that freeze every project's published values on
their publication day, so that the drifts between two editions can always be reproduced
(docs/decisions/0036-panorama-editions.md).

- `DigitalProject`: a project as it stands now (the steering team edits it);
- `PanoramaEdition`: an edition, prepared then published on a date, frozen from then on;
- `ProjectRecord`: a project's values in one published edition (written once, at publication).
Both the project and its record carry the published columns, from `ProjectValues`."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from guichet.core.models import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet, TimeStampedModel


class ProjectPhase(models.TextChoices):
    """The panorama's phases of a project."""

    FRAMING = "framing", _("Cadrage")
    EXPERIMENTATION = "experimentation", _("Expérimentation")
    BUILD = "build", _("Conception / Réalisation")
    ROLLOUT = "rollout", _("Déploiement")
    DONE = "done", _("Terminé")


class InclusionCriterion(models.TextChoices):
    """Why a project is in the panorama: its cost, its savings, its complexity or its impact."""

    COST = "cost", _("Coût supérieur à 9 M€")
    SAVINGS = "savings", _("Économies substantielles attendues")
    COMPLEXITY = "complexity", _("Complexité")
    IMPACT = "impact", _("Impact sur les usagers ou les agents")


class CostBand(models.TextChoices):
    """The panorama's cost bands, from the current estimated cost."""

    UNDER_9 = "0-9", _("Moins de 9 M€")
    FROM_9 = "9-20", _("De 9 à 20 M€")
    FROM_20 = "20-50", _("De 20 à 50 M€")
    FROM_50 = "50-100", _("De 50 à 100 M€")
    OVER_100 = "100+", _("Plus de 100 M€")

    @classmethod
    def of(cls, cost_meur: Decimal | None) -> "CostBand | None":
        if cost_meur is None:
            return None
        for limit, band in ((9, cls.UNDER_9), (20, cls.FROM_9), (50, cls.FROM_20), (100, cls.FROM_50)):
            if cost_meur < limit:
                return band
        return cls.OVER_100


def _years(verbose_name: str) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1"))],
    )


def _meur(verbose_name: str) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=10, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )


class ProjectValues(models.Model):
    """The panorama's published columns of a project (docs/open-data.md, « panorama »)."""

    ministry_code = models.CharField(_("ministère porteur (sigle)"), max_length=20)
    ministry_name = models.CharField(_("nom complet du ministère porteur"), max_length=200)
    name = models.CharField(_("nom du projet"), max_length=200)
    interministerial = models.BooleanField(_("projet interministériel"), default=False)
    local_authorities = models.BooleanField(_("concerne les collectivités territoriales"), default=False)
    description = models.TextField(_("description et objectifs"), blank=True)
    link = models.URLField(_("lien vers le projet"), blank=True)
    start_date = models.DateField(_("date de début"), null=True, blank=True)
    duration_initial_years = _years(_("durée prévue initialement (années)"))
    duration_current_years = _years(_("durée prévue actuellement (années)"))
    phase = models.CharField(_("phase en cours"), max_length=20, choices=ProjectPhase.choices)
    cost_initial_meur = _meur(_("coût estimé initialement (M€)"))
    cost_current_meur = _meur(_("coût estimé actuellement (M€)"))
    functional_area = models.CharField(_("domaine fonctionnel"), max_length=200, blank=True)
    funding_programmes = models.CharField(
        _("programmes budgétaires de financement"),
        max_length=200,
        blank=True,
        help_text=_("Les numéros des programmes, séparés par « | » : P218 | P352."),
    )
    performance_plan_link = models.URLField(_("lien vers les projets annuels de performance"), blank=True)
    inclusion_criterion = models.CharField(
        _("critère d’inclusion au panorama"), max_length=20, choices=InclusionCriterion.choices
    )
    lead = models.CharField(
        _("pilote du projet"), max_length=200, blank=True, help_text=_("La direction ou le service qui le conduit.")
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def cost_band(self) -> "CostBand | None":
        return CostBand.of(self.cost_current_meur)


# The published columns' fields, in their order: what publication copies into a record.
VALUE_FIELDS = tuple(field.name for field in ProjectValues._meta.local_fields)


class DigitalProject(ProjectValues, TimeStampedModel):
    """A major digital project as it stands now. Its steering team (the steering role on
    `organisation`) edits it; the public reads it only through the editions it was published in."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation qui suit le projet"),
        on_delete=models.PROTECT,
        related_name="digital_projects",
    )
    listed = models.BooleanField(
        _("au panorama"),
        default=True,
        help_text=_("Décochez pour retirer le projet des prochaines éditions ; les éditions publiées le gardent."),
    )
    procedures = models.ManyToManyField(
        "procedures.Procedure",
        verbose_name=_("démarches de Guichet que le projet sert"),
        blank=True,
        related_name="digital_projects",
    )

    class Meta:
        verbose_name = _("grand projet numérique")
        verbose_name_plural = _("grands projets numériques")
        ordering = ["ministry_code", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="unique_digital_project_name",
                violation_error_message=_("Un projet de ce nom existe déjà dans cette organisation."),
            ),
            models.CheckConstraint(
                condition=models.Q(cost_initial_meur__isnull=True) | models.Q(cost_initial_meur__gte=0),
                name="digital_project_cost_initial_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(cost_current_meur__isnull=True) | models.Q(cost_current_meur__gte=0),
                name="digital_project_cost_current_positive",
            ),
        ]


class FrozenEditionError(AppendOnlyError):
    """A published edition, or one of its records, was about to change."""


class PanoramaEditionQuerySet(models.QuerySet):
    """Bulk writes too leave a published edition as it is (`bulk_update` goes through `update`);
    the draft being published is still a draft when the publishing service updates it."""

    def _refuse_published(self, message: str) -> None:
        if self.filter(status=PanoramaEdition.Status.PUBLISHED).exists():
            raise FrozenEditionError(message)

    def update(self, **kwargs):
        self._refuse_published("Une édition publiée ne peut plus être modifiée.")
        return super().update(**kwargs)

    def delete(self):
        self._refuse_published("Une édition publiée ne peut pas être supprimée.")
        return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for edition in objs:
            edition.refuse_born_published()
        return super().bulk_create(objs, *args, **kwargs)


class PanoramaEdition(TimeStampedModel):
    """An edition of an organisation's panorama: prepared (a draft that shows the projects' values
    of the moment), then published on a date, when each listed project's values are copied into
    its `ProjectRecord`; from then on nothing in it changes."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("En préparation")
        PUBLISHED = "published", _("Publiée")

    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation qui publie"),
        on_delete=models.PROTECT,
        related_name="panorama_editions",
    )
    title = models.CharField(_("titre"), max_length=200, help_text=_("Par exemple : « Édition de février 2027 »."))
    published_on = models.DateField(_("date de publication"))
    status = models.CharField(_("état"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    published_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("publiée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = PanoramaEditionQuerySet.as_manager()

    class Meta:
        verbose_name = _("édition du panorama")
        verbose_name_plural = _("éditions du panorama")
        ordering = ["-published_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "published_on"],
                name="unique_panorama_edition_day",
                violation_error_message=_("Une édition de cette organisation porte déjà cette date."),
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(published_at__isnull=False),
                name="panorama_edition_published_at",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def refuse_born_published(self) -> None:
        """An edition is born a draft: only `panorama_edition_publish` publishes it, with its records."""
        if self.status == self.Status.PUBLISHED:
            raise FrozenEditionError("Une édition se prépare avant d’être publiée, avec les valeurs de ses projets.")

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.refuse_born_published()
        if self.pk is not None and PanoramaEdition.objects.filter(pk=self.pk, status=self.Status.PUBLISHED).exists():
            raise FrozenEditionError("Une édition publiée ne peut plus être modifiée.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_published:
            raise FrozenEditionError("Une édition publiée ne peut pas être supprimée.")
        return super().delete(*args, **kwargs)


class ProjectRecordQuerySet(AppendOnlyQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Records are written in bulk at publication, into the draft being published; never into
        an edition already published."""
        objs = list(objs)
        editions = {record.edition_id for record in objs}
        if PanoramaEdition.objects.filter(pk__in=editions, status=PanoramaEdition.Status.PUBLISHED).exists():
            raise FrozenEditionError("Une édition publiée ne reçoit plus de projet.")
        return super().bulk_create(objs, *args, **kwargs)


class ProjectRecord(ProjectValues, AppendOnlyModel):
    """A project's published values in one edition, copied at publication and never changed nor
    deleted (an append-only row: its queryset refuses `update` and `delete` too)."""

    edition = models.ForeignKey(
        PanoramaEdition, verbose_name=_("édition"), on_delete=models.PROTECT, related_name="records"
    )
    project = models.ForeignKey(
        DigitalProject, verbose_name=_("projet"), on_delete=models.PROTECT, related_name="records"
    )
    procedure_slugs = models.JSONField(_("démarches de Guichet servies"), default=list, blank=True)

    objects = ProjectRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("projet dans une édition")
        verbose_name_plural = _("projets dans une édition")
        ordering = ["ministry_code", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "project"], name="unique_project_record_per_edition"),
        ]

    def save(self, *args, **kwargs):
        if PanoramaEdition.objects.filter(pk=self.edition_id, status=PanoramaEdition.Status.PUBLISHED).exists():
            raise FrozenEditionError("Les valeurs d’une édition publiée ne peuvent plus être modifiées.")
        super().save(*args, **kwargs)

"""The back office benchmark's export step (`make bench`, bench/backoffice.py) exports what an
instructor sees, every row of it, on the demo data here as on the million dossiers."""

import json
import subprocess

import pytest

from bench import backoffice
from bench.backoffice import EXPORT_INSTRUCTOR, INSTRUCTOR, PROCEDURE, export_figures, export_measure
from guichet.accounts.models import User
from guichet.dossiers.models import Dossier, DossierState
from guichet.instruction.access import dossiers_visible_to_instructor
from guichet.procedures.models import InstructorGroup

pytestmark = pytest.mark.django_db


def test_the_export_step_exports_every_dossier_the_instructor_sees_in_the_biggest_procedure(demo):
    instructor = User.objects.get(email=INSTRUCTOR)
    seen = (
        dossiers_visible_to_instructor(instructor).filter(procedure__slug=PROCEDURE).exclude(state=DossierState.DRAFT)
    )
    result = export_measure(everything=False)
    assert seen.count() > 0 and result["rows"] == seen.count()
    assert result["lists"] == 2  # « Tous » and « Mis de côté »
    assert result["bytes"] > 1000 and result["peak_mb"] > 0 and result["cpu_seconds"] > 0


def test_the_export_of_everything_holds_every_filed_dossier(demo):
    result = export_measure(everything=True)
    assert result["rows"] == Dossier.objects.exclude(state=DossierState.DRAFT).count()
    # The benchmark's instructor belongs to every group, once, however many runs.
    export_measure(everything=True)
    groups = InstructorGroup.objects.filter(memberships__user__email=EXPORT_INSTRUCTOR)
    assert groups.count() == groups.distinct().count() == InstructorGroup.objects.count()


def test_the_export_figures_are_the_child_processes(monkeypatch):
    asked = []

    def child(command, **options):
        asked.append(command)
        result = {"rows": 1000, "seconds": 0.05, "cpu_seconds": 0.04, "peak_mb": 90.5, "lists": 2, "bytes": 1}
        return subprocess.CompletedProcess(command, 0, stdout="warming up\n" + json.dumps(result) + "\n")

    monkeypatch.setattr(backoffice.subprocess, "run", child)
    lines = [figure.line() for figure in export_figures("guichet_backoffice_small")]
    assert "BENCH backoffice_export_csv_rows_per_s 20000.0 rows/s" in lines
    assert "BENCH backoffice_export_csv_peak_memory 90.50 MB" in lines
    assert "BENCH backoffice_export_all_csv_rows 1000.0 rows" in lines
    assert "BENCH backoffice_export_all_csv_cpu_seconds 0.04 s" in lines
    assert ["--everything" in command for command in asked] == [False, True]

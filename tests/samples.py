"""Files that tests upload: real ones, as the upload checks parse them."""

import io
import zipfile

from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

# The antivirus test file (https://www.eicar.org): every antivirus recognises it, it harms nothing.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def minimal_pdf() -> bytes:
    """A readable one-page PDF, without active content."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_javascript() -> bytes:
    """A readable PDF that runs JavaScript when opened (/OpenAction … /JS)."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('bonjour');"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_launch_action() -> bytes:
    """A readable PDF whose opening launches a program."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    action = DictionaryObject({NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")})
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_embedded_file() -> bytes:
    """A readable PDF that carries another file."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_attachment("programme.exe", b"MZ\x90\x00")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zip_archive() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("lisez-moi.txt", "Bonjour")
    return out.getvalue()


WRONG_TYPE = "n’est pas d’un type accepté"
# What outside probes sent, and what each must be refused with (the file is named in every message).
REFUSED_UPLOADS = {
    "programme.exe": (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200),
        WRONG_TYPE,
    ),
    "page.html": (
        b"<!DOCTYPE html><html><head><title>x</title></head><body><script>alert(1)</script></body></html>\n",
        WRONG_TYPE,
    ),
    "dessin.svg": (
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>\n',
        WRONG_TYPE,
    ),
    "archive.zip": (zip_archive(), WRONG_TYPE),
    "vide.pdf": (b"", "est vide"),
    "tronque.pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 o", "n’est pas un PDF lisible"),
    "script.pdf": (pdf_with_javascript(), "est un PDF qui contient du code JavaScript"),
    "lanceur.pdf": (pdf_with_launch_action(), "est un PDF qui contient une commande qui lance un programme"),
    "piece-cachee.pdf": (pdf_with_embedded_file(), "est un PDF qui contient des fichiers intégrés"),
}

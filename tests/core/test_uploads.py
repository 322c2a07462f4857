import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from guichet.core.uploads import upload_describe


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "blue").save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_type_comes_from_the_content_not_the_name_or_the_header():
    disguised = SimpleUploadedFile("releve.pdf", png(), content_type="application/pdf")
    assert upload_describe(disguised) == {"name": "releve.pdf", "size": len(png()), "content_type": "image/png"}
    assert disguised.read() == png()  # the file can still be read from its start


def test_a_real_pdf_and_a_text_are_recognised():
    pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    assert upload_describe(SimpleUploadedFile("a.png", pdf))["content_type"] == "application/pdf"
    assert upload_describe(SimpleUploadedFile("b.pdf", b"Bonjour.\n"))["content_type"] == "text/plain"


def test_a_path_in_the_name_is_dropped_and_an_empty_file_is_described():
    assert upload_describe(SimpleUploadedFile("C:\\Users\\moi\\vide.pdf", b"")) == {
        "name": "vide.pdf", "size": 0, "content_type": "application/x-empty",
    }  # fmt: skip

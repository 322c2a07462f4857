"""The applicant's form as it will look, from the working draft (filled in by the form engine)."""

urlpatterns: list = []

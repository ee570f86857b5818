import csv
import io

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from chorus.lib.text import validate_plain_line
from chorus.signatures.forms import COUNTRY_CODES, validate_signer_name
from chorus.signatures.models import EMAIL_MAX_LENGTH, NAME_MAX_LENGTH
from chorus.signatures.paper.models import (
    COLLECTOR_MAX_LENGTH,
    MAX_ROWS,
    ROWS_PER_PAGE,
    WHERE_MAX_LENGTH,
)

CSV_COLUMNS = ["name", "country", "email", "updates"]
# Over this the upload is refused before it is read (chorus.signatures.paper.views).
CSV_MAX_BYTES = 2 * 1024 * 1024
_FORMULA_STARTS = ("=", "+", "-", "@")
_YES = {"yes", "y", "1", "true", "x", "да", "on"}
_NO = {"", "no", "n", "0", "false", "нет", "off"}


class BatchForm(forms.Form):
    collector = forms.CharField(
        label=_("Collected by"), max_length=COLLECTOR_MAX_LENGTH,
        validators=[validate_plain_line],
        help_text=_("The name of the person or group who collected the signatures."),
        error_messages={"required": _("Say who collected the signatures.")},
    )
    collector_member = forms.ModelChoiceField(
        label=_("Collector's account"), queryset=get_user_model().objects.none(),
        required=False, help_text=_("Optional: if the collector is a member here."),
    )
    collected_where = forms.CharField(
        label=_("Where"), max_length=WHERE_MAX_LENGTH, required=False,
        validators=[validate_plain_line], help_text=_("For example “Stall at the market”."),
    )
    collected_on = forms.DateField(
        label=_("When"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date like 2027-02-18.")},
    )
    expected_rows = forms.IntegerField(
        label=_("Number of rows on the sheets"), min_value=1, max_value=MAX_ROWS,
        error_messages={"required": _("Say how many rows the sheets have.")},
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collector_member"].queryset = get_user_model().objects.filter(
            memberships__organisation=organisation).order_by("email")


def country_code(text: str) -> str:
    """A country typed as its code ("DE") or its name, in the reader's language or English;
    "" if it is neither."""
    text = text.strip()
    if text.upper() in COUNTRY_CODES and text.isascii():
        return text.upper()
    language = (get_language() or "en").split("-")[0]
    return countries.by_name(text, language=language) or countries.by_name(text) or ""


class RowForm(forms.Form):
    """One line of a sign sheet. A line left empty is no row; a name is what makes one."""

    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH, required=False,
                           validators=[validate_plain_line, validate_signer_name],
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))
    # One <datalist> of countries for every row (signatures/paper/_countries.html).
    country = forms.CharField(label=_("Country"), max_length=60, required=False,
                              validators=[validate_plain_line],
                              widget=forms.TextInput(attrs={"list": "countries", "size": 8,
                                                            "autocomplete": "off"}))
    email = forms.EmailField(label=_("E-mail"), max_length=EMAIL_MAX_LENGTH, required=False,
                             widget=forms.EmailInput(attrs={"autocomplete": "off"}),
                             error_messages={"invalid": _("Enter a valid e-mail address, "
                                                          "like name@example.org.")})
    updates = forms.BooleanField(label=_("Updates"), required=False)

    def clean_country(self) -> str:
        text = self.cleaned_data["country"]
        if not text.strip():
            return ""
        code = country_code(text)
        if not code:
            raise ValidationError(_("Enter a country from the list, or its two-letter code."),
                                  code="country")
        return code

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if email.startswith(_FORMULA_STARTS):
            raise ValidationError(_("An address cannot start with = + - or @."),
                                  code="formula_prefix")
        return email

    def clean(self):
        data = super().clean()
        if not data.get("name", "").strip() and any(
                data.get(name) for name in ("country", "email", "updates")):
            raise ValidationError(_("Enter the name, or leave the whole row empty."),
                                  code="no_name")
        return data

    @property
    def is_blank(self) -> bool:
        return not (self.cleaned_data.get("name") or "").strip()


RowFormSet = forms.formset_factory(RowForm, extra=0, max_num=ROWS_PER_PAGE,
                                   absolute_max=ROWS_PER_PAGE, validate_max=True)


def row_formset(data=None, *, initial: list[dict], prefix: str = "row"):
    """A page of ROWS_PER_PAGE lines; `initial` holds what is already stored."""
    initial = initial + [{}] * (ROWS_PER_PAGE - len(initial))
    return RowFormSet(data, initial=initial[:ROWS_PER_PAGE], prefix=prefix)


class CorrectionForm(RowForm):
    """A line the two entries disagree on, as the verifier reads it on the sheet."""

    position = forms.IntegerField(widget=forms.HiddenInput)


CorrectionFormSet = forms.formset_factory(CorrectionForm, extra=0, max_num=MAX_ROWS,
                                          absolute_max=MAX_ROWS)


class CsvImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, with the columns name, country, email, updates; at most 2 MB."),
        error_messages={"required": _("Choose the CSV file to import.")},
    )
    skip_invalid = forms.BooleanField(
        label=_("Import the valid rows and leave out the ones with errors"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > CSV_MAX_BYTES:
            raise ValidationError(_("The file is over 2 MB. Split it into several batches."),
                                  code="too_big")
        raw = upload.read(CSV_MAX_BYTES + 1)
        if b"\x00" in raw:
            raise ValidationError(_("The file contains NUL bytes: it is not a text CSV file. "
                                    "Save it again as CSV (UTF-8)."), code="nul")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("The file is not UTF-8 text. Save it again as "
                                    "CSV (UTF-8)."), code="encoding") from None
        self.rows = parsed_rows(text)
        return upload


def parsed_rows(text: str) -> list["CsvRow"]:
    """Every data line of the file, validated; ValidationError for the file as a whole."""
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        raise ValidationError(_("The file could not be read as CSV."), code="csv") from None
    header = [column.strip().lower() for column in lines[0]] if lines else []
    if sorted(header) != sorted(CSV_COLUMNS):
        raise ValidationError(
            _("The first line must name the columns name, country, email and updates "
              "(download the template). This file has: %(columns)s.")
            % {"columns": ", ".join(header)[:200] or "—"}, code="columns")
    body = [line for line in lines[1:] if any(cell.strip() for cell in line)]
    if not body:
        raise ValidationError(_("The file has no rows."), code="empty")
    if len(body) > MAX_ROWS:
        raise ValidationError(ngettext(
            "The file has more than %(max)s row. Split it into several batches.",
            "The file has more than %(max)s rows. Split it into several batches.", MAX_ROWS)
            % {"max": MAX_ROWS}, code="too_many")
    return [_csv_row(number, dict(zip(header, line, strict=False)), len(line) == len(header))
            for number, line in enumerate(body, start=2)]


class CsvRow:
    """One data line of an import: its line number in the file, values and errors."""

    def __init__(self, line: int, values: dict, errors: list[tuple[str, str]]):
        self.line, self.values, self.errors = line, values, errors


def _csv_row(line: int, cells: dict, complete: bool) -> CsvRow:
    errors = []
    if not complete:
        errors.append(("", str(_("This line does not have exactly four columns."))))
    for column in CSV_COLUMNS:
        if (cells.get(column) or "").lstrip().startswith(_FORMULA_STARTS):
            errors.append((column, str(_(
                "Starts with = + - or @, which a spreadsheet runs as a formula: refused. "
                "Remove that character."))))
    updates = (cells.get("updates") or "").strip().lower()
    if updates not in _YES | _NO:
        errors.append(("updates", str(_("Write yes or no."))))
    form = RowForm({"name": cells.get("name") or "", "country": cells.get("country") or "",
                    "email": (cells.get("email") or "").strip(),
                    "updates": "on" if updates in _YES else ""})
    if form.is_valid() and form.is_blank:
        errors.append(("name", str(_("Enter the name."))))
    for field, messages in form.errors.items():
        for message in messages:
            if (field, message) not in errors and not any(f == field for f, _m in errors):
                errors.append(("" if field == "__all__" else field, message))
    return CsvRow(line, form.cleaned_data if not errors else cells, errors)

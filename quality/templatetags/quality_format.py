from django import template

from reports.exports.tables import NBSP, format_number

register = template.Library()


@register.filter
def pourcent(value) -> str:
    """12,5 % ; « — » when there is no file to compute it on."""
    return "—" if value is None else f"{format_number(value)}{NBSP}%"


@register.filter
def nombre(value) -> str:
    return format_number(int(value))


@register.filter
def nombre_decimal(value) -> str:
    """A median in days: 12,5 ; a whole number without decimals."""
    return format_number(value)

"""Words of the disclosure pages that reach them as data (a disclosure's status, what a
receipt is for), marked for the catalog tool; the templates translate them with
`_(value)`."""

from __future__ import annotations

from evidence.i18n import N_

# disclosure.service.DisclosureStatus
STATUSES = [N_("active"), N_("revoked"), N_("expired")]
# What a receipt is for (disclosure.models.Receipt.what)
RECEIPT_SUBJECTS = [N_("item"), N_("bundle")]

"""`evidence.service`: the one path to evidence.

Routers, jobs, the CLI and the portals call these keyword-only functions; nothing else
opens evidence bytes or writes items. Each function records its custody event in the
same transaction as the change it describes; an event about an item goes through
`record_item_event` (case, item and SHA-256 filled in from the rows).
"""

from evidence.service.apikeys import create_api_key, list_api_keys, revoke_api_key
from evidence.service.cases import (
    add_member,
    create_case,
    find_case,
    get_case,
    list_cases,
    list_members,
    remove_member,
    transfer_case,
)
from evidence.service.custody_view import EntryReader, custody_page, may_read_entry
from evidence.service.derive import (
    WORKER,
    children_since,
    list_derivatives,
    materialize,
    record_refusal,
    record_view,
    register_derivative,
)
from evidence.service.entries import entry_inclusion_proof, entry_leaf, readable_entry
from evidence.service.export import ExportPlan, export_custody, plan_export
from evidence.service.fsck import FsckReport, fsck
from evidence.service.item_events import record_item_event
from evidence.service.items import (
    Content,
    Incoming,
    Registered,
    authorize_upload,
    get_item,
    list_items,
    open_content,
    receive,
    register_item,
    sees_provenance,
    without_provenance,
)
from evidence.service.ledger import LedgerConfig, checkpoint, item_custody, timestamp
from evidence.service.releases import record_released, verify_file
from evidence.service.signin import authenticate, login
from evidence.service.uploads import (
    abort_upload,
    append_chunk,
    create_upload,
    expire_uploads,
    finalize_upload,
    get_upload,
)
from evidence.service.users import (
    create_user,
    list_users,
    reset_totp,
    revoke_token,
    unlock_user,
)
from evidence.service.witnesses import (
    add_witness,
    list_witnesses,
    remove_witness,
    submit_cosignature,
)

__all__ = [
    "WORKER",
    "Content",
    "EntryReader",
    "ExportPlan",
    "FsckReport",
    "Incoming",
    "LedgerConfig",
    "Registered",
    "abort_upload",
    "add_member",
    "add_witness",
    "append_chunk",
    "authenticate",
    "authorize_upload",
    "checkpoint",
    "children_since",
    "create_api_key",
    "create_case",
    "create_upload",
    "create_user",
    "custody_page",
    "entry_inclusion_proof",
    "entry_leaf",
    "expire_uploads",
    "export_custody",
    "finalize_upload",
    "find_case",
    "fsck",
    "get_case",
    "get_item",
    "get_upload",
    "item_custody",
    "list_api_keys",
    "list_cases",
    "list_derivatives",
    "list_items",
    "list_members",
    "list_users",
    "list_witnesses",
    "login",
    "materialize",
    "may_read_entry",
    "open_content",
    "plan_export",
    "readable_entry",
    "receive",
    "record_item_event",
    "record_refusal",
    "record_released",
    "record_view",
    "register_derivative",
    "register_item",
    "remove_member",
    "remove_witness",
    "reset_totp",
    "revoke_api_key",
    "revoke_token",
    "sees_provenance",
    "submit_cosignature",
    "timestamp",
    "transfer_case",
    "unlock_user",
    "verify_file",
    "without_provenance",
]

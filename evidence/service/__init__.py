"""`evidence.service`: the one path to evidence.

Routers, jobs, the CLI and the portals call these keyword-only functions; nothing else
opens evidence bytes or writes items. Each function records its custody event in the
same transaction as the change it describes.
"""

from evidence.service.cases import (
    add_member,
    create_case,
    find_case,
    get_case,
    list_cases,
    list_members,
    remove_member,
)
from evidence.service.derive import (
    WORKER,
    list_derivatives,
    materialize,
    record_view,
    register_derivative,
)
from evidence.service.fsck import FsckReport, fsck
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
)
from evidence.service.ledger import (
    ItemCustody,
    LedgerConfig,
    checkpoint,
    custody_json,
    export_custody,
    item_custody,
    timestamp,
)
from evidence.service.uploads import (
    abort_upload,
    append_chunk,
    create_upload,
    expire_uploads,
    finalize_upload,
    get_upload,
)
from evidence.service.users import (
    authenticate,
    create_api_key,
    create_user,
    list_users,
    login,
    reset_totp,
    revoke_token,
    unlock_user,
)

__all__ = [
    "WORKER",
    "Content",
    "FsckReport",
    "Incoming",
    "ItemCustody",
    "LedgerConfig",
    "Registered",
    "abort_upload",
    "add_member",
    "append_chunk",
    "authenticate",
    "authorize_upload",
    "checkpoint",
    "create_api_key",
    "create_case",
    "create_upload",
    "create_user",
    "custody_json",
    "expire_uploads",
    "export_custody",
    "finalize_upload",
    "find_case",
    "fsck",
    "get_case",
    "get_item",
    "get_upload",
    "item_custody",
    "list_cases",
    "list_derivatives",
    "list_items",
    "list_members",
    "list_users",
    "login",
    "materialize",
    "open_content",
    "receive",
    "record_view",
    "register_derivative",
    "register_item",
    "remove_member",
    "reset_totp",
    "revoke_token",
    "timestamp",
    "unlock_user",
]

"""`/<lang>/network`: the member cities on a map and the network's figures."""

from flask import Blueprint, render_template

from hub.atlas import overview
from hub.i18n import current_language
from hub.security.access import PUBLIC, allow

bp = Blueprint("atlas", __name__, url_prefix="/<lang:lang>", template_folder="templates")


@bp.get("/network")
@allow(PUBLIC)
def network():
    return render_template("atlas/network.html", page=overview.network_page(current_language()))

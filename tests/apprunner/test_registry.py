"""Every operation of the botocore App Runner model has a handler."""
from __future__ import annotations

import botocore.session

from mockrunner.services import load_all
from mockrunner.services.registry import OPERATIONS


def test_every_model_operation_has_a_handler():
    load_all()
    model = botocore.session.get_session().get_service_model("apprunner")
    registered = {name for service, name in OPERATIONS if service == "apprunner"}
    assert len(model.operation_names) == 37
    assert set(model.operation_names) - registered == set()
    assert registered - set(model.operation_names) == set()

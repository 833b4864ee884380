"""The codec of each protocol: the module that parses requests and serializes answers in it.

Every codec has ``parse_request(operation, body, query_params, uri_params)``, ``serialize_response`` and
``serialize_error``; a protocol reads only the parts of a request it locates members in."""
from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

from mockrunner.protocol import json_codec, query_codec, rest_json_codec

if TYPE_CHECKING:
    from botocore.model import ServiceModel

CODECS: dict[str, ModuleType] = {"json": json_codec, "query": query_codec, "rest-json": rest_json_codec}
"""Protocol name (botocore's ``metadata.protocol``) -> codec module."""


def codec_for(service: ServiceModel) -> ModuleType:
    """The codec module for the service's protocol (``json_codec``, ``query_codec``, ``rest_json_codec``)."""
    return CODECS[service.protocol]

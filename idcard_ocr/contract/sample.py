"""The contract's sample cards (``info`` and ``validity`` as its documentation prints them).

Stand-in recognisers (the load test's, the service's tests) and the SDK's tests answer with
these, so they all speak of the same card. Read-only: take a ``dict(...)`` copy to change one.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

FRONT_INFO: Mapping[str, str] = MappingProxyType({
    "name": "赵宁宁",
    "number": "330106198912014010",
    "sex": "男",
    "nation": "汉",
    "year": "1989",
    "month": "12",
    "day": "1",
    "address": "浙江省杭州市西湖区文二路108号",
})
FRONT_VALIDITY: Mapping[str, bool] = MappingProxyType(
    {"birthday": True, "number": True, "address": True, "sex": True, "name": True}
)
BACK_INFO: Mapping[str, str] = MappingProxyType(
    {"authority": "杭州市公安局余杭分局", "timelimit": "20190806-20390806"}
)
BACK_VALIDITY: Mapping[str, bool] = MappingProxyType({"authority": True, "timelimit": True})

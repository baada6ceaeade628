"""Every context's tables, imported so Alembic sees the whole schema."""

from hawker.accounts import audit  # noqa: F401
from hawker.accounts import models as accounts  # noqa: F401
from hawker.analytics import models as analytics  # noqa: F401
from hawker.campaigns import coupon_models as coupons  # noqa: F401
from hawker.campaigns import models as campaigns  # noqa: F401
from hawker.catalog import models as catalog  # noqa: F401
from hawker.core import idempotency, outbox  # noqa: F401
from hawker.core.db import Base
from hawker.creators import fund_models as creator_fund  # noqa: F401
from hawker.creators import models as creators  # noqa: F401
from hawker.deals import models as deals  # noqa: F401
from hawker.experiments import models as experiments  # noqa: F401
from hawker.feed import models as feed  # noqa: F401
from hawker.live import models as live  # noqa: F401
from hawker.orders import models as orders  # noqa: F401
from hawker.video import models as video  # noqa: F401

metadata = Base.metadata

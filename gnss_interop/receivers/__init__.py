"""Receiver profiles: which signals a receiver tracks per system and how it combines them."""

from gnss_interop.receivers.profiles import (
    DEFAULT_RECEIVER,
    PRESETS,
    ReceiverProfile,
    Tracking,
    receiver_profile,
)

__all__ = ["DEFAULT_RECEIVER", "PRESETS", "ReceiverProfile", "Tracking", "receiver_profile"]
